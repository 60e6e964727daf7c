/** Kinds of programs the classifier treats specially. */
export const SHELLS = new Set([
  'sh',
  'bash',
  'zsh',
  'dash',
  'ksh',
  'mksh',
  'ash',
  'fish',
  'csh',
  'tcsh',
  'busybox-sh',
]);
export const INTERPRETERS = new Set([
  ...SHELLS,
  'python',
  'python3',
  'python2',
  'perl',
  'ruby',
  'node',
  'nodejs',
  'php',
  'lua',
  'deno',
  'bun',
]);
/**
 * Programs that can make a path a link or move another folder into its place. (git checkout
 * is not one: a repository's history can already replace any file it tracks.)
 */
export const LINK_MAKERS = new Set([
  'ln',
  'link',
  'mv',
  'rename',
  'cp',
  'rsync',
  'tar',
  'unzip',
  'cpio',
  'bsdtar',
]);
export const STDIN_FILES = new Set(['/dev/stdin', '/dev/fd/0', '/proc/self/fd/0', '-']);

/** Asking an interpreter what it is does not run anything. */
export const ONLY_ASKS_VERSION = /^(--version|-V|-v|--help|-h)$/;

/**
 * Flags that give an interpreter its program from the repository rather than from its input:
 * `node --test` runs the test files it finds, `node --run x` a package.json script.
 */
export const PROGRAM_FROM_REPOSITORY = /^--(test|run)(=.*)?$/;

/** Files a build tool reads and runs commands from. */
const NODE_FILES = ['package.json', '.npmrc', '.yarnrc', '.yarnrc.yml'];
export const BUILD_FILES: Record<string, string[]> = {
  npm: NODE_FILES,
  npx: NODE_FILES,
  yarn: NODE_FILES,
  pnpm: NODE_FILES,
  bun: NODE_FILES,
  make: ['Makefile', 'makefile', 'GNUmakefile'],
  just: ['justfile', 'Justfile', '.justfile'],
  cargo: ['Cargo.toml', 'build.rs'],
  pip: ['setup.py', 'pyproject.toml', 'setup.cfg'],
  pip3: ['setup.py', 'pyproject.toml', 'setup.cfg'],
  rake: ['Rakefile'],
  gradle: ['build.gradle', 'build.gradle.kts', 'settings.gradle'],
  tox: ['tox.ini'],
  pytest: ['conftest.py', 'pytest.ini', 'pyproject.toml', 'setup.cfg', 'tox.ini'],
};
