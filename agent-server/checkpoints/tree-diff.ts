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
  return (await diffTreePairs(git, [[from, to]])).get(pairKey(from, to))?.changes ?? [];
}

/** Lines added and removed in one file; undefined counts for a binary file. */
export interface LineCounts {
  added?: number;
  removed?: number;
}

export interface PairDiff {
  changes: TreeChange[];
  /** With `numstat`: per path. */
  lines: Map<string, LineCounts>;
}

export const pairKey = (from: string, to: string) => `${from} ${to}`;

/**
 * The differences of many tree pairs in one `git diff-tree --stdin` (one process instead of one
 * per pair), keyed by `pairKey(from, to)`; pairs of equal trees are left out.
 */
export async function diffTreePairs(
  git: ShadowGit,
  pairs: readonly (readonly [string, string])[],
  opts: { numstat?: boolean } = {},
): Promise<Map<string, PairDiff>> {
  const result = new Map<string, PairDiff>();
  const asked = [...new Set(pairs.filter(([a, b]) => a !== b).map(([a, b]) => pairKey(a, b)))];
  if (!asked.length) return result;
  const args = ['diff-tree', '--stdin', '-r', '-z', '--no-renames', '--raw'];
  if (opts.numstat) args.push('--numstat');
  const out = (await git.run(args, { input: asked.join('\n') + '\n' })).stdout.toString('utf8');
  // "<from> <to>\n" opens each pair's output; raw records are ":<modes> <blobs> <status>\0<path>\0",
  // numstat records "<added>\t<removed>\t<path>\0" ("-" for binary).
  let current: PairDiff | undefined;
  const tokens = out.split('\0');
  for (let i = 0; i < tokens.length; i++) {
    let token = tokens[i]!;
    const header = /^([0-9a-f]{40,64}) ([0-9a-f]{40,64})\n/.exec(token);
    if (header) {
      current = { changes: [], lines: new Map() };
      result.set(pairKey(header[1]!, header[2]!), current);
      token = token.slice(header[0].length);
    }
    if (!current || token === '') continue;
    if (token.startsWith(':')) {
      current.changes.push(rawChange(token, tokens[++i] ?? ''));
      continue;
    }
    const counts = /^(\d+|-)\t(\d+|-)\t([\s\S]*)$/.exec(token);
    if (counts)
      current.lines.set(
        counts[3]!,
        counts[1] === '-' ? {} : { added: Number(counts[1]), removed: Number(counts[2]) },
      );
  }
  return result;
}

/** One raw record (":100644 100644 <sha> <sha> M") and its path. */
function rawChange(meta: string, file: string): TreeChange {
  const [fromMode, toMode, fromBlob, toBlob] = meta.slice(1).split(' ');
  const change: TreeChange = { path: file };
  const fm = mode(fromMode ?? '');
  const tm = mode(toMode ?? '');
  if (fm && fromBlob && !ZERO.test(fromBlob)) Object.assign(change, { fromMode: fm, fromBlob });
  if (tm && toBlob && !ZERO.test(toBlob)) Object.assign(change, { toMode: tm, toBlob });
  return change;
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
