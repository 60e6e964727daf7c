import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Files and folders inside a workspace that run code OUTSIDE the sandbox later: when the user
 * runs git, enters the folder in a shell, or opens it in an editor. Writing one is planting code,
 * so the edit tools always ask (with a plain warning) and the sandbox mounts them read-only.
 */

/** A workspace entry, matched by name wherever it appears below a root, and why it runs code. */
export interface CodeRunningEntry {
  name: string;
  kind: 'dir' | 'file';
  runsWhen: string;
}

/**
 * Names that run code wherever they sit (editors and direnv honour them in any folder opened or
 * entered, not only the root). Git's own files are matched separately (`.git/hooks`, `.git/config`).
 */
export const CODE_RUNNING_ENTRIES: readonly CodeRunningEntry[] = [
  { name: '.husky', kind: 'dir', runsWhen: 'when you use git (husky hooks)' },
  { name: '.githooks', kind: 'dir', runsWhen: 'when you use git (hooks folder)' },
  { name: '.envrc', kind: 'file', runsWhen: 'when you enter the folder in a shell (direnv)' },
  { name: '.vscode', kind: 'dir', runsWhen: 'when you open the folder in VS Code (tasks, launch, settings)' },
  { name: '.devcontainer', kind: 'dir', runsWhen: 'when you open the folder in a dev container' },
  { name: '.devcontainer.json', kind: 'file', runsWhen: 'when you open the folder in a dev container' },
  { name: '.zed', kind: 'dir', runsWhen: 'when you open the folder in Zed (tasks, settings)' },
  {
    name: '.idea',
    kind: 'dir',
    runsWhen: 'when you open the folder in a JetBrains IDE (run configurations)',
  },
  { name: '.cursor', kind: 'dir', runsWhen: 'when you open the folder in Cursor (MCP servers, rules)' },
  { name: '.mcp.json', kind: 'file', runsWhen: 'when a coding agent starts its MCP servers' },
];

export const GIT_RUNS_WHEN = 'when you use git';
const WORKSPACE_FILE_RUNS_WHEN = 'when you open it in VS Code (tasks, settings)';

/**
 * Why a folder entry named `name` runs code wherever it sits (`.vscode`, `.envrc`,
 * `x.code-workspace`, case and ignorable-character variants included); undefined for other
 * names. Git's `.git` is not covered: what runs there depends on what is inside it.
 */
export function codeRunningEntryName(name: string): string | undefined {
  const key = componentKey(name);
  const entry = CODE_RUNNING_ENTRIES.find((e) => e.name === key);
  if (entry) return entry.runsWhen;
  return key.endsWith('.code-workspace') ? WORKSPACE_FILE_RUNS_WHEN : undefined;
}

/**
 * A path component as a case-insensitive file system (macOS, Windows) or git itself would see
 * it: lower case, ignorable characters gone (HFS+ ignores them: `.g\u200Cit` is `.git`), trailing
 * dots and spaces dropped (NTFS).
 */
export function componentKey(name: string): string {
  return name
    .normalize('NFC')
    .replace(/[\u00AD\u034F\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF]/gu, '')
    .toLowerCase()
    .replace(/[. ]+$/u, '');
}

function isInside(child: string, root: string): boolean {
  const rel = path.relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** realpath of the nearest existing ancestor, plus the part that does not exist yet. */
export function realpathAllowingMissing(p: string): string {
  let existing = path.resolve(p);
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync.native(existing), ...rest.reverse());
    } catch {
      const parent = path.dirname(existing);
      if (parent === existing) return path.resolve(p);
      rest.push(path.basename(existing));
      existing = parent;
    }
  }
}

/**
 * What runs a file at these path components (below a workspace root), for the prompt ("… runs
 * code outside the sandbox when you use git"); undefined when nothing does.
 */
export function matchComponents(parts: readonly string[]): string | undefined {
  const keys = parts.map(componentKey);
  const git = keys.indexOf('.git');
  if (git !== -1) {
    // `.git` as a file points git at another repository (its hooks and config); inside a
    // `.git` folder (submodules included: `.git/modules/x/hooks`), hooks and config run code.
    if (git === keys.length - 1) return GIT_RUNS_WHEN;
    const inside = keys.slice(git + 1);
    if (inside.includes('hooks')) return GIT_RUNS_WHEN;
    const last = inside[inside.length - 1];
    if (last === 'config' || last === 'config.worktree') return GIT_RUNS_WHEN;
  }
  for (const key of keys) {
    const entry = CODE_RUNNING_ENTRIES.find((e) => e.name === key);
    if (entry) return entry.runsWhen;
  }
  const last = keys[keys.length - 1] ?? '';
  if (last.endsWith('.code-workspace')) return WORKSPACE_FILE_RUNS_WHEN;
  return undefined;
}

/** The components of `abs` below the root that holds it (all of them when no root does). */
function componentsBelowRoot(abs: string, roots: readonly string[]): string[] {
  const root = roots.find((r) => isInside(abs, r));
  const rel = root ? path.relative(root, abs) : abs;
  return rel.split(path.sep).filter(Boolean);
}

export interface CodeRunningPath {
  /** How it runs, to finish "this file runs code outside the sandbox …". */
  runsWhen: string;
}

/**
 * Whether writing `absPath` plants code that runs outside the sandbox later. Checked on the
 * path as written (normalised) AND as resolved through symlinks, so `link/hooks/x` with
 * `link -> .git` and `./.git//hooks/../hooks/x` are caught too.
 */
export function codeRunningPath(
  absPath: string,
  roots: readonly string[],
  options: { userHome?: string } = {},
): CodeRunningPath | undefined {
  const lexical = path.resolve(absPath);
  const real = realpathAllowingMissing(lexical);
  const realRoots = roots.map((r) => realpathAllowingMissing(r));
  for (const [candidate, against] of [
    [lexical, roots.map((r) => path.resolve(r))],
    [real, realRoots],
  ] as const) {
    const runsWhen = matchComponents(componentsBelowRoot(candidate, against));
    if (runsWhen) return { runsWhen };
  }
  for (const root of realRoots) {
    for (const hooks of configuredHooksPaths(root, options.userHome)) {
      if (isInside(real, realpathAllowingMissing(hooks))) return { runsWhen: GIT_RUNS_WHEN };
    }
  }
  return undefined;
}

/** The prompt title for an edit of such a file. */
export function codeRunningTitle(verb: 'Create' | 'Edit', shown: string, found: CodeRunningPath): string {
  return `${verb} ${shown} — this file runs code outside the sandbox ${found.runsWhen}`;
}

/**
 * The git directories of a worktree root: `.git` itself, or where a `.git` file points (a
 * linked worktree or submodule) and that repository's common directory (hooks, config).
 */
export function gitDirs(root: string): string[] {
  const dotGit = path.join(root, '.git');
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(dotGit);
  } catch {
    return [];
  }
  if (stat.isDirectory()) return [dotGit];
  if (!stat.isFile()) return [];
  const pointer = /^gitdir:\s*(.+?)\s*$/m.exec(readSmall(dotGit) ?? '');
  if (!pointer?.[1]) return [];
  const gitDir = path.resolve(root, pointer[1]);
  const common = readSmall(path.join(gitDir, 'commondir'))?.trim();
  return common ? [gitDir, path.resolve(gitDir, common)] : [gitDir];
}

function readSmall(file: string): string | undefined {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile() || stat.size > 1_000_000) return undefined;
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** `hooksPath` values from a git config file's `[core]` section (a plain reading, no includes). */
function hooksPathsIn(configText: string): string[] {
  const found: string[] = [];
  let inCore = false;
  for (const raw of configText.split('\n')) {
    let line = raw.trim();
    const section = /^\[\s*([A-Za-z0-9.-]+)[^\]]*\]\s*(.*)$/.exec(line);
    if (section) {
      inCore = section[1]!.toLowerCase() === 'core';
      line = section[2] ?? '';
    }
    const value = /^hookspath\s*=\s*(.*)$/i.exec(line);
    if (!inCore || !value) continue;
    const text = value[1]!
      .replace(/\s[;#].*$/, '')
      .trim()
      .replace(/^"(.*)"$/, '$1');
    if (text) found.push(text);
  }
  return found;
}

/**
 * Hooks folders git is configured to use for this worktree (`core.hooksPath` in the repository's
 * or the user's config), as absolute paths. Relative values are relative to the worktree root.
 */
export function configuredHooksPaths(root: string, userHome: string = os.homedir()): string[] {
  const configs = gitDirs(root).map((d) => path.join(d, 'config'));
  const xdg = process.env.XDG_CONFIG_HOME || path.join(userHome, '.config');
  configs.push(path.join(userHome, '.gitconfig'), path.join(xdg, 'git', 'config'));
  const out = new Set<string>();
  for (const file of configs) {
    for (const value of hooksPathsIn(readSmall(file) ?? '')) {
      const expanded = value.startsWith('~/') ? path.join(userHome, value.slice(2)) : value;
      out.add(path.resolve(root, expanded));
    }
  }
  return [...out];
}
