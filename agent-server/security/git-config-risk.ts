/**
 * Which entries of a git config file can make git run a program: everything except a short list
 * of keys whose values are only data (`core.bare`, `remote.origin.url`, `user.email`, …). A fresh
 * `git init` or `git clone` writes only such keys, so a new repository is not reported as
 * planted code; `core.fsmonitor`, `core.hooksPath`, `alias.*`, `filter.*`, `include.path` are.
 */

/** Keys (lower case, `*` = any subsection) whose values never name a program to run. */
const DATA_ONLY_KEYS = [
  'core.repositoryformatversion',
  'core.filemode',
  'core.bare',
  'core.logallrefupdates',
  'core.ignorecase',
  'core.precomposeunicode',
  'core.symlinks',
  'core.autocrlf',
  'core.eol',
  'core.safecrlf',
  'core.quotepath',
  'core.compression',
  'extensions.objectformat',
  'extensions.worktreeconfig',
  'extensions.refstorage',
  'init.defaultbranch',
  'user.name',
  'user.email',
  'remote.*.url',
  'remote.*.pushurl',
  'remote.*.fetch',
  'remote.*.push',
  'remote.*.tagopt',
  'remote.*.prune',
  'remote.*.mirror',
  'remote.*.promisor',
  'remote.*.partialclonefilter',
  'branch.*.remote',
  'branch.*.merge',
  'branch.*.rebase',
  'branch.*.pushremote',
  // VS Code's git extension records where a branch started.
  'branch.*.vscode-merge-base',
  'submodule.*.url',
  'submodule.*.active',
  'submodule.*.branch',
  'submodule.*.update',
  'pull.rebase',
  'pull.ff',
  'push.default',
  'push.autosetupremote',
  'fetch.prune',
  'gc.auto',
  'lfs.repositoryformatversion',
  'advice.*',
  'color.ui',
];

function isDataOnly(section: string, subsection: string | undefined, key: string): boolean {
  const full = `${section}.${subsection === undefined ? '' : '*.'}${key}`;
  return DATA_ONLY_KEYS.includes(full);
}

/**
 * The entries of a git config text that can run code, as `section[.subsection].key=value`
 * lines (sorted, duplicates kept once), so two versions of a file compare as sets. Values of
 * data-only keys that start with `!` (a shell command, e.g. `submodule.x.update = !sh`) count too.
 */
export function codeRunningGitConfigEntries(text: string): string[] {
  const found = new Set<string>();
  let section = '';
  let subsection: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    const header = /^\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]\s*(.*)$/.exec(line);
    if (header) {
      const name = header[1]!.toLowerCase();
      // `[a.b]` is the old spelling of `[a "b"]`.
      const dot = name.indexOf('.');
      section = dot < 0 ? name : name.slice(0, dot);
      subsection = header[2] ?? (dot < 0 ? undefined : name.slice(dot + 1));
      line = header[3] ?? '';
    } else if (line.startsWith('[')) {
      // A header git may read differently than this parser: assume the worst from here on.
      section = '?';
      subsection = undefined;
      continue;
    }
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const entry = /^([A-Za-z][A-Za-z0-9-]*)\s*(?:=\s*(.*))?$/.exec(line);
    const key = (entry?.[1] ?? line).toLowerCase();
    const value = (entry?.[2] ?? '').trim();
    if (section && isDataOnly(section, subsection, key) && !value.replace(/^"/, '').startsWith('!')) continue;
    const name = subsection === undefined ? `${section}.${key}` : `${section}.${subsection}.${key}`;
    found.add(`${name}=${value}`);
  }
  return [...found].sort();
}
