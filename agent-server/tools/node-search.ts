import * as path from 'node:path';
import { realpathSync } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import ignore, { type Ignore } from 'ignore';
import { AnchoredFiles, type FileInfo } from '../workspace/anchored-files.js';

const SKIP_DIRS = new Set(['.git', 'node_modules']);
/** Larger files are not searched (ripgrep is given the same limit). */
export const MAX_SEARCH_FILE_BYTES = 2 * 1024 * 1024;

export interface SearchHit {
  file: string;
  line?: number;
  text?: string;
}

/** Glob → RegExp for the simple globs models use (`*.ts`, `src/**\/*.js`). */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(glob.includes('/') ? `^${re}$` : `(^|/)${re}$`);
}

/**
 * Pure-Node search for machines without ripgrep: honours the root .gitignore. Symlinks met while
 * walking are skipped (as ripgrep does without --follow), and every file is read through `read`,
 * which opens it without following links out, so a folder swapped mid-walk yields nothing.
 */
export async function nodeSearch(opts: {
  root: string;
  target: string;
  pattern: RegExp;
  glob?: string;
  filesOnly: boolean;
  maxHits: number;
  signal: AbortSignal;
  /** Opens a workspace file safely (Workspace.inspect); defaults to one anchored at `root`. */
  read?: (absolute: string, maxBytes: number) => Promise<FileInfo>;
}): Promise<{ hits: SearchHit[]; truncated: boolean }> {
  const read = opts.read ?? anchoredReader(opts.root);
  let ig: Ignore = ignore();
  const gitignore = await read(path.join(opts.root, '.gitignore'), MAX_SEARCH_FILE_BYTES).catch(
    () => undefined,
  );
  if (gitignore?.kind === 'file') ig = ignore().add(gitignore.head.toString('utf8'));
  const globRe = opts.glob ? globToRegExp(opts.glob) : undefined;
  const hits: SearchHit[] = [];
  let truncated = false;

  const visit = async (file: string, top: boolean): Promise<void> => {
    if (truncated || opts.signal.aborted) return;
    const rel = path.relative(opts.root, file).split(path.sep).join('/');
    // The path asked for was checked by the caller (a link there may lead inside); below it,
    // links are not followed.
    const info = await (top ? stat(file) : lstat(file)).catch(() => undefined);
    if (!info || info.isSymbolicLink()) return;
    if (info.isDirectory()) {
      if (rel && (SKIP_DIRS.has(path.basename(file)) || ig.ignores(rel + '/'))) return;
      const names = await readdir(file).catch(() => [] as string[]);
      for (const name of names.sort()) await visit(path.join(file, name), false);
      return;
    }
    if (!info.isFile() || info.size > MAX_SEARCH_FILE_BYTES) return;
    if (rel && ig.ignores(rel)) return;
    if (globRe && !globRe.test(rel)) return;
    const opened = await read(file, MAX_SEARCH_FILE_BYTES).catch(() => undefined);
    if (opened?.kind !== 'file' || opened.size > MAX_SEARCH_FILE_BYTES) return;
    const buf = opened.head;
    if (buf.subarray(0, 8192).includes(0)) return;
    const lines = buf.toString('utf8').split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      opts.pattern.lastIndex = 0;
      if (!opts.pattern.test(lines[i]!)) continue;
      if (hits.length >= opts.maxHits) {
        truncated = true;
        return;
      }
      hits.push(opts.filesOnly ? { file } : { file, line: i + 1, text: lines[i] });
      if (opts.filesOnly) return;
    }
  };
  await visit(opts.target, true);
  return { hits, truncated };
}

function anchoredReader(root: string): (absolute: string, maxBytes: number) => Promise<FileInfo> {
  let realRoot = root;
  try {
    realRoot = realpathSync.native(root);
  } catch {
    /* a missing root: nothing will be found */
  }
  const files = new AnchoredFiles([root], [realRoot]);
  return (absolute, maxBytes) => files.inspect(absolute, maxBytes);
}
