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
