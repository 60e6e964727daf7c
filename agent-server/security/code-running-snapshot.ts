import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  codeRunningEntryName,
  componentKey,
  configuredHooksPaths,
  GIT_RUNS_WHEN,
} from './code-running-paths.js';
import { codeRunningGitConfigEntries } from './git-config-risk.js';

/**
 * A cheap picture of the files in a workspace that run code outside the sandbox later (git
 * hooks and config, `.vscode`, `.envrc`, `.husky`, `*.code-workspace`, … — see
 * code-running-paths.ts), taken before and after each command so that one a command CREATED
 * (which the sandbox's read-only binds cannot cover: they only exist for existing files) or
 * changed is reported. It never walks the whole tree: the code-running entries themselves are
 * read fully (they are small), and other folders are searched only a few levels deep, skipping
 * dependency and build folders; folders that did not exist before the command are searched
 * deeper, since a command may hide a new `.vscode` at the bottom of a fresh tree.
 */

export interface SnapshotLimits {
  /** Folders below a root whose entries are looked at (0 = the root only). */
  depth: number;
  /** Extra depth for folders the command created. */
  newFolderDepth: number;
  /** Folders read in all, per snapshot: past this the snapshot says it is incomplete. */
  maxFolders: number;
  /** Files recorded inside one code-running folder (`.idea` can be large). */
  maxFilesPerEntry: number;
}

/**
 * Chosen by measurement (test/bench/planted-files.bench.ts): a folder read costs ~0.03 ms on a
 * loaded machine, and the check runs twice per command. Depth 2 reaches `packages/app/.vscode`.
 */
export const DEFAULT_SNAPSHOT_LIMITS: SnapshotLimits = {
  depth: 2,
  newFolderDepth: 8,
  maxFolders: 1500,
  maxFilesPerEntry: 500,
};

/** Folders never searched for nested entries: dependencies, caches and build output. */
const SKIPPED_FOLDERS = new Set([
  'node_modules',
  'bower_components',
  '.venv',
  'venv',
  '__pycache__',
  '.tox',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  '.gradle',
  '.next',
  '.nuxt',
  '.turbo',
  '.parcel-cache',
  '.cache',
  'target',
  'dist',
  'coverage',
]);

export interface SnapshotFile {
  /** lstat identity (type, inode, mode, size, times, link target): any write, chmod or swap changes it. */
  stamp: string;
  /** Finishes "runs code outside the sandbox …". */
  runsWhen: string;
  /** Git config files: the entries that can run a program (harmless edits are not reported). */
  gitConfig?: string[];
}

export interface CodeRunningSnapshot {
  /** Absolute path → what was there. Folders are not listed, only what is in them. */
  files: Map<string, SnapshotFile>;
  /** Every folder whose entries were read. */
  folders: Set<string>;
  /** Every subfolder seen in a folder that was read (to tell folders the command created). */
  subfolders: Set<string>;
  /** The folder budget ran out: something deeper may have been missed. */
  incomplete: boolean;
}

export interface PlantedFile {
  path: string;
  change: 'created' | 'changed';
  runsWhen: string;
  /** For git config: the entries that can run code and were added. */
  added?: string[];
  /** The lstat stamp after the command (to check a file is still the one seen before moving it). */
  stamp: string;
}

interface Walk {
  files: Map<string, SnapshotFile>;
  folders: Set<string>;
  subfolders: Set<string>;
  foldersLeft: number;
  incomplete: boolean;
  limits: SnapshotLimits;
  previous?: CodeRunningSnapshot;
  /** The real roots being walked (a hooks link is followed only into one of them). */
  roots: string[];
}

function realOrUndefined(p: string): string | undefined {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return undefined;
  }
}

function lstat(p: string): fs.BigIntStats | undefined {
  try {
    return fs.lstatSync(p, { bigint: true });
  } catch {
    return undefined;
  }
}

function stampOf(p: string, st: fs.BigIntStats): string {
  let link = '';
  if (st.isSymbolicLink()) {
    try {
      link = fs.readlinkSync(p);
    } catch {
      link = '?';
    }
  }
  const type = st.isSymbolicLink() ? 'l' : st.isFile() ? 'f' : st.isDirectory() ? 'd' : 'o';
  return `${type}:${st.dev}:${st.ino}:${st.mode}:${st.size}:${st.mtimeNs}:${st.ctimeNs}:${link}`;
}

function readFolder(walk: Walk, dir: string): fs.Dirent[] {
  if (walk.foldersLeft <= 0) {
    walk.incomplete = true;
    return [];
  }
  walk.foldersLeft--;
  walk.folders.add(dir);
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function readSmallText(p: string): string {
  try {
    const fd = fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    try {
      const buf = Buffer.alloc(256 * 1024);
      const n = fs.readSync(fd, buf, 0, buf.length, 0);
      return buf.subarray(0, n).toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
}

function recordFile(walk: Walk, p: string, runsWhen: string, kind?: 'git-config'): void {
  const st = lstat(p);
  if (!st || st.isDirectory()) return;
  const file: SnapshotFile = { stamp: stampOf(p, st), runsWhen };
  if (kind === 'git-config') {
    // A linked config is code-running whatever it says: the link can point anywhere later.
    const previous = walk.previous?.files.get(p);
    file.gitConfig = st.isSymbolicLink()
      ? [`(a link to ${fs.readlinkSync(p)})`]
      : previous?.stamp === file.stamp && previous.gitConfig
        ? previous.gitConfig
        : codeRunningGitConfigEntries(readSmallText(p));
  }
  walk.files.set(p, file);
}

/** Everything inside a code-running folder (`.vscode`, `.husky`, a hooks folder), bounded. */
function recordTree(walk: Walk, dir: string, runsWhen: string, skip?: (name: string) => boolean): void {
  const st = lstat(dir);
  if (!st) return;
  if (!st.isDirectory()) {
    recordFile(walk, dir, runsWhen);
    return;
  }
  let budget = walk.limits.maxFilesPerEntry;
  const queue = [dir];
  while (queue.length) {
    const current = queue.shift()!;
    for (const entry of readFolder(walk, current)) {
      if (skip?.(entry.name)) continue;
      const p = path.join(current, entry.name);
      if (--budget < 0) {
        walk.incomplete = true;
        return;
      }
      if (entry.isDirectory()) queue.push(p);
      else recordFile(walk, p, runsWhen);
    }
  }
}

/** Hooks that git never runs: the samples `git init` writes. */
const isSample = (name: string): boolean => name.endsWith('.sample');

/** A git folder: its config files and hooks, and those of its submodules (a few levels). */
function recordGitDir(walk: Walk, gitDir: string, depth = 0): void {
  recordFile(walk, path.join(gitDir, 'config'), GIT_RUNS_WHEN, 'git-config');
  recordFile(walk, path.join(gitDir, 'config.worktree'), GIT_RUNS_WHEN, 'git-config');
  // The hooks entry itself: a link swapped for a folder (or re-pointed) is a new set of hooks.
  const hooks = path.join(gitDir, 'hooks');
  const hooksStat = lstat(hooks);
  if (hooksStat?.isSymbolicLink()) {
    walk.files.set(hooks, { stamp: stampOf(hooks, hooksStat), runsWhen: GIT_RUNS_WHEN });
    // The folder it leads to, when a command can write there: what git will actually run.
    const target = realOrUndefined(hooks);
    if (target && walk.roots.some((r) => isInside(target, r)))
      recordTree(walk, target, GIT_RUNS_WHEN, isSample);
  } else recordTree(walk, hooks, GIT_RUNS_WHEN, isSample);
  if (depth >= 3) return;
  const modules = path.join(gitDir, 'modules');
  if (!lstat(modules)?.isDirectory()) return;
  for (const entry of readFolder(walk, modules)) {
    if (!entry.isDirectory()) continue;
    // A submodule's git folder, or (`modules/libs/x`) a folder holding one a level deeper.
    recordGitDir(walk, path.join(modules, entry.name), depth + 1);
  }
}

/** A `.git` entry: a folder, or a file pointing git at another repository (its hooks too). */
function recordDotGit(walk: Walk, dotGit: string, root: string, type: fs.Dirent): void {
  if (type.isDirectory()) {
    recordGitDir(walk, dotGit);
    return;
  }
  recordFile(walk, dotGit, GIT_RUNS_WHEN);
  const pointer = /^gitdir:\s*(.+?)\s*$/m.exec(type.isFile() ? readSmallText(dotGit) : '');
  if (!pointer?.[1]) return;
  const gitDir = path.resolve(path.dirname(dotGit), pointer[1]);
  // Only a git folder inside the workspace can be written by a sandboxed command.
  if (isInside(gitDir, root) && lstat(gitDir)?.isDirectory()) recordGitDir(walk, gitDir);
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Cheap pre-check before `componentKey`: every code-running name starts with a dot or ends in
 * `.code-workspace`; names with non-ASCII characters may hide either (`\u200B.envrc`).
 */
function mayRunCode(name: string): boolean {
  return name.startsWith('.') || /[^\x20-\x7e]/.test(name) || /code-workspace/i.test(name);
}

/** One root: its entries, then folders below it breadth-first up to the depth limit. */
function walkRoot(walk: Walk, root: string, userHome: string | undefined): void {
  for (const hooks of configuredHooksPaths(root, userHome)) {
    if (isInside(hooks, root)) recordTree(walk, hooks, GIT_RUNS_WHEN, isSample);
  }
  const queue: { dir: string; depth: number; isNew: boolean }[] = [{ dir: root, depth: 0, isNew: false }];
  while (queue.length) {
    const { dir, depth, isNew } = queue.shift()!;
    const queueFolder = (p: string): void => {
      walk.subfolders.add(p);
      // New: absent from a folder the first snapshot read (or inside such a folder).
      const previous = walk.previous;
      const created =
        isNew || (previous !== undefined && previous.folders.has(dir) && !previous.subfolders.has(p));
      const limit = created ? walk.limits.depth + walk.limits.newFolderDepth : walk.limits.depth;
      if (depth + 1 <= limit) queue.push({ dir: p, depth: depth + 1, isNew: created });
    };
    for (const entry of readFolder(walk, dir)) {
      const p = path.join(dir, entry.name);
      if (!mayRunCode(entry.name)) {
        if (entry.isDirectory() && !SKIPPED_FOLDERS.has(entry.name)) queueFolder(p);
        continue;
      }
      if (componentKey(entry.name) === '.git') {
        recordDotGit(walk, p, root, entry);
        continue;
      }
      const runsWhen = codeRunningEntryName(entry.name);
      if (runsWhen) {
        recordTree(walk, p, runsWhen);
        continue;
      }
      // Links are not followed: whatever they lead to is found (or not) where it really is.
      if (entry.isDirectory() && !SKIPPED_FOLDERS.has(entry.name)) queueFolder(p);
    }
  }
}

/**
 * The code-running files under each root now. Give the snapshot taken before the command as
 * `previous` when taking the one after, so folders the command created are searched deeper.
 */
export function snapshotCodeRunningFiles(
  roots: readonly string[],
  options: { userHome?: string; limits?: SnapshotLimits; previous?: CodeRunningSnapshot } = {},
): CodeRunningSnapshot {
  const walk: Walk = {
    files: new Map(),
    folders: new Set(),
    subfolders: new Set(),
    limits: options.limits ?? DEFAULT_SNAPSHOT_LIMITS,
    foldersLeft: (options.limits ?? DEFAULT_SNAPSHOT_LIMITS).maxFolders,
    incomplete: false,
    previous: options.previous,
    roots: [],
  };
  // Roots not on this machine (a remote terminal) or gone are skipped; nested roots walked once.
  const real = roots.map(realOrUndefined).filter((r): r is string => r !== undefined);
  walk.roots = real.filter((r, i) => !real.some((o) => o !== r && isInside(r, o)) && real.indexOf(r) === i);
  for (const root of walk.roots) walkRoot(walk, root, options.userHome);
  return {
    files: walk.files,
    folders: walk.folders,
    subfolders: walk.subfolders,
    incomplete: walk.incomplete,
  };
}

/** What the command created or changed among code-running files (deletions plant nothing). */
export function plantedFiles(before: CodeRunningSnapshot, after: CodeRunningSnapshot): PlantedFile[] {
  const out: PlantedFile[] = [];
  for (const [p, now] of after.files) {
    const was = before.files.get(p);
    if (was?.stamp === now.stamp) continue;
    if (now.gitConfig) {
      // Git config: only entries that can run code count (a new remote or user.email does not).
      const earlier = new Set(was?.gitConfig ?? []);
      const added = now.gitConfig.filter((e) => !earlier.has(e));
      if (added.length)
        out.push({
          path: p,
          change: was ? 'changed' : 'created',
          runsWhen: now.runsWhen,
          added,
          stamp: now.stamp,
        });
      continue;
    }
    out.push({ path: p, change: was ? 'changed' : 'created', runsWhen: now.runsWhen, stamp: now.stamp });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The current lstat stamp of a path (undefined when gone), to re-check before acting on it. */
export function currentStamp(p: string): string | undefined {
  const st = lstat(p);
  return st ? stampOf(p, st) : undefined;
}
