import type { EntryMode } from './restore-files.js';
import type { ShadowGit } from './shadow-git.js';

/** One path that differs between two trees. Modes and blobs are undefined on the side where it is absent. */
export interface TreeChange {
  path: string;
  fromMode?: EntryMode;
  toMode?: EntryMode;
  fromBlob?: string;
  toBlob?: string;
}

const ZERO = /^0+$/;

function mode(m: string): EntryMode | undefined {
  return m === '100644' || m === '100755' || m === '120000' ? m : undefined;
}

/** The paths that differ between trees `from` and `to` (no rename detection). */
export async function diffTrees(git: ShadowGit, from: string, to: string): Promise<TreeChange[]> {
  if (from === to) return [];
  const out = (await git.run(['diff-tree', '-r', '-z', '--no-renames', '--raw', from, to])).stdout.toString(
    'utf8',
  );
  const parts = out.split('\0');
  const changes: TreeChange[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    // ":100644 100644 <sha> <sha> M" then the path
    const [fromMode, toMode, fromBlob, toBlob] = parts[i]!.slice(1).split(' ');
    const change: TreeChange = { path: parts[i + 1]! };
    const fm = mode(fromMode ?? '');
    const tm = mode(toMode ?? '');
    if (fm && fromBlob && !ZERO.test(fromBlob)) Object.assign(change, { fromMode: fm, fromBlob });
    if (tm && toBlob && !ZERO.test(toBlob)) Object.assign(change, { toMode: tm, toBlob });
    changes.push(change);
  }
  return changes;
}

/** Files and lines added and removed between two trees (binary files count as files only). */
export async function diffStat(
  git: ShadowGit,
  from: string,
  to: string,
): Promise<{ files: number; added: number; removed: number }> {
  if (from === to) return { files: 0, added: 0, removed: 0 };
  const out = await git.text(['diff-tree', '-r', '-z', '--no-renames', '--numstat', from, to]);
  let files = 0;
  let added = 0;
  let removed = 0;
  for (const record of out.split('\0')) {
    const m = /^(\d+|-)\t(\d+|-)\t/.exec(record);
    if (!m) continue;
    files++;
    if (m[1] !== '-') added += Number(m[1]);
    if (m[2] !== '-') removed += Number(m[2]);
  }
  return { files, added, removed };
}

/** The contents of blobs by id, read in one `git cat-file --batch`. */
export async function readBlobs(git: ShadowGit, ids: readonly string[]): Promise<Map<string, Buffer>> {
  const unique = [...new Set(ids)];
  const blobs = new Map<string, Buffer>();
  if (!unique.length) return blobs;
  const out = (await git.run(['cat-file', '--batch'], { input: unique.join('\n') + '\n' })).stdout;
  let at = 0;
  while (at < out.length) {
    const eol = out.indexOf(0x0a, at);
    if (eol < 0) break;
    const header = out.subarray(at, eol).toString('utf8');
    const [id, type, size] = header.split(' ');
    at = eol + 1;
    if (type === 'missing' || size === undefined) continue;
    const length = Number(size);
    blobs.set(id!, out.subarray(at, at + length));
    at += length + 1;
  }
  return blobs;
}
