/**
 * What sandboxed commands see of the user's home folder by default (`terminal.homeReadable`),
 * relative to it and read-only: toolchains and their download caches, so builds work offline
 * and fast. Everything else in home is hidden (an empty, throw-away folder), and credential
 * stores stay hidden even when one of these (or a user's own entry) contains them.
 * Never add a folder whose purpose is to hold credentials or a whole config folder here.
 */
export const DEFAULT_HOME_READABLE: readonly string[] = [
  // Version managers and toolchains
  '.nvm',
  '.volta',
  '.fnm',
  '.local/share/fnm',
  '.asdf',
  '.pyenv',
  '.rbenv',
  '.sdkman',
  '.rustup',
  '.cargo/bin',
  '.cargo/env',
  '.cargo/registry',
  '.cargo/git',
  '.deno',
  '.bun/bin',
  '.ghcup',
  '.dotnet',
  '.local/bin',
  '.local/lib',
  // Package stores read in place (caches that follow XDG_CACHE_HOME get the sandbox's /tmp instead)
  '.local/share/pnpm',
  'go/pkg/mod',
  'go/bin',
  '.m2/repository',
  '.gradle/caches',
  '.gradle/wrapper',
  '.nuget/packages',
  // Git identity and ignore rules (commits in the workspace need a name)
  '.gitconfig',
  '.config/git/config',
  '.config/git/ignore',
];
