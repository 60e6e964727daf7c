import { lstat, readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { DEFAULT_EXCLUDES, type ShadowGit } from './shadow-git.js';

/** A file left out of a checkpoint because it is larger than `checkpoints.maxFileMB`. */
export interface SkippedFile {
  path: string;
  bytes: number;
}

export interface WorkspaceSnapshot {
  /** The git tree of the workspace's files as they are now. */
  tree: string;
  skipped: SkippedFile[];
}

/** Folders never walked inside a nested repository (the same defaults as the excludes). */
const SKIPPED_DIR_NAMES = new Set(DEFAULT_EXCLUDES.filter((p) => p.endsWith('/')).map((p) => p.slice(0, -1)));
/** A nested repository with more files than this is recorded up to here, with a note. */
const MAX_NESTED_FILES = 50_000;

function splitNul(out: Buffer): string[] {
  return out
    .toString('utf8')
    .split('\0')
    .filter((s) => s !== '');
}

/**
 * Records the workspace's files in the shadow index and returns its tree. Only paths git reports
 * as new, changed or deleted are hashed: the index's stat cache answers for the rest, which is
 * what keeps a checkpoint of a large repository cheap. Ignored files (the project's .gitignore
 * files plus Cairn's excludes) are left out, and so are files over `maxFileBytes`.
 *
 * A nested repository or submodule (a folder with its own `.git`) is recorded as plain files: git
 * would otherwise store it as a link to a commit it does not have. Its `.git` is never recorded
 * (git refuses `.git` path components), and we never run git against the nested repository.
 */
export async function snapshotWorkspace(git: ShadowGit, maxFileBytes: number): Promise<WorkspaceSnapshot> {
  const listed = splitNul(
    (await git.run(['ls-files', '-z', '--others', '--modified', '--deleted', '--exclude-standard'])).stdout,
  );
  const candidates = new Set<string>();
  const nestedRepos: string[] = [];
  for (const entry of listed) {
    if (entry.endsWith('/')) nestedRepos.push(entry.slice(0, -1));
    else candidates.add(entry);
  }
  if (nestedRepos.length) for (const file of await nestedRepoFiles(git, nestedRepos)) candidates.add(file);

  return recordPaths(git, candidates, maxFileBytes);
}

/**
 * Records exactly `paths` (files, links, or paths now gone) in the shadow index and returns its
 * tree: what a restore uses for the files it wrote, without listing the whole workspace again.
 */
export async function recordPaths(
  git: ShadowGit,
  candidates: Iterable<string>,
  maxFileBytes: number,
): Promise<WorkspaceSnapshot> {
  const update: string[] = [];
  const gone: string[] = [];
  const dropped: string[] = [];
  const skipped: SkippedFile[] = [];
  const realDir = new Map<string, Promise<boolean>>();
  // A path under a folder that is now a symlink is gone from the tree (git will not look through links).
  const underRealDirs = async (rel: string): Promise<boolean> => {
    const parent = path.posix.dirname(rel);
    if (parent === '.') return true;
    let known = realDir.get(parent);
    if (!known) {
      known = (async () =>
        (await underRealDirs(parent)) &&
        ((await lstat(path.join(git.workTree, parent)).catch(() => undefined))?.isDirectory() ?? false))();
      realDir.set(parent, known);
    }
    return known;
  };
  for (const rel of candidates) {
    if (!(await underRealDirs(rel))) {
      dropped.push(rel);
      continue;
    }
    const info = await lstat(path.join(git.workTree, rel)).catch(() => undefined);
    if (!info) gone.push(rel);
    // A folder now: its files are listed on their own, this is no longer an entry.
    else if (info.isDirectory()) dropped.push(rel);
    // A file that grew past the limit leaves the checkpoint rather than keeping an old version.
    else if (info.isFile() && info.size > maxFileBytes) {
      skipped.push({ path: rel, bytes: info.size });
      dropped.push(rel);
    } else update.push(rel);
  }
  if (dropped.length) {
    await git.run(['update-index', '-z', '--force-remove', '--stdin'], { input: dropped.join('\0') + '\0' });
  }
  if (update.length || gone.length) {
    // Explicit paths: no pathspec matching, no second walk; --remove drops the paths now missing.
    // --replace lets a file take a folder's place (or the reverse) in one step.
    await git.run(['update-index', '-z', '--add', '--remove', '--replace', '--stdin'], {
      input: [...update, ...gone].join('\0') + '\0',
    });
  }
  const tree = await writeTree(git);
  return { tree, skipped: skipped.sort((a, b) => a.path.localeCompare(b.path)) };
}

/** The last tree written from each shadow index, and the index file's identity then. */
const indexTrees = new WeakMap<ShadowGit, { index: string; tree: string }>();

/** The index file's identity: any rewrite (git renames a new file over it) changes it. */
async function indexIdentity(git: ShadowGit): Promise<string | undefined> {
  const info = await stat(path.join(git.gitDir, 'index'), { bigint: true }).catch(() => undefined);
  return info && `${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
}

/**
 * `git write-tree`, skipped when the index has not changed since this process last wrote its tree
 * (a checkpoint or restore right after a turn's last change). Callers hold the store's lock, so no
 * one else rewrites the index between the two looks at it.
 */
async function writeTree(git: ShadowGit): Promise<string> {
  const known = indexTrees.get(git);
  const before = await indexIdentity(git);
  if (known && before && known.index === before) return known.tree;
  const tree = (await git.text(['write-tree'])).trim();
  const index = await indexIdentity(git);
  if (index) indexTrees.set(git, { index, tree });
  return tree;
}

/** The files of nested repositories, walked here (skipping `.git` and bulky folders), minus ignored ones. */
async function nestedRepoFiles(git: ShadowGit, roots: string[]): Promise<string[]> {
  const files: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(path.join(git.workTree, rel), { withFileTypes: true });
    } catch {
      return; // gone meanwhile
    }
    for (const entry of entries) {
      if (files.length >= MAX_NESTED_FILES) return;
      if (entry.name === '.git') continue;
      const child = `${rel}/${entry.name}`;
      // Dirent types come from lstat: a symlink to a folder is recorded as a link, never followed.
      if (entry.isDirectory()) {
        if (!SKIPPED_DIR_NAMES.has(entry.name)) await walk(child);
      } else files.push(child);
    }
  };
  for (const root of roots) await walk(root);
  if (!files.length) return files;
  const ignored = new Set(
    splitNul(
      (
        await git.run(['check-ignore', '-z', '--stdin'], {
          input: files.join('\0') + '\0',
          okCodes: [0, 1],
        })
      ).stdout,
    ),
  );
  return files.filter((f) => !ignored.has(f));
}
