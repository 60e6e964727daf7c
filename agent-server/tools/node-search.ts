import * as path from 'node:path';
import { readdir, readFile, stat } from 'node:fs/promises';
import ignore, { type Ignore } from 'ignore';

const SKIP_DIRS = new Set(['.git', 'node_modules']);
const MAX_FILE_BYTES = 2 * 1024 * 1024;

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

/** Pure-Node search for machines without ripgrep: honours the root .gitignore. */
export async function nodeSearch(opts: {
  root: string;
  target: string;
  pattern: RegExp;
  glob?: string;
  filesOnly: boolean;
  maxHits: number;
  signal: AbortSignal;
}): Promise<{ hits: SearchHit[]; truncated: boolean }> {
  let ig: Ignore = ignore();
  try {
    ig = ignore().add(await readFile(path.join(opts.root, '.gitignore'), 'utf8'));
  } catch {
    /* no .gitignore */
  }
  const globRe = opts.glob ? globToRegExp(opts.glob) : undefined;
  const hits: SearchHit[] = [];
  let truncated = false;

  const visit = async (file: string): Promise<void> => {
    if (truncated || opts.signal.aborted) return;
    const rel = path.relative(opts.root, file).split(path.sep).join('/');
    const info = await stat(file).catch(() => undefined);
    if (!info) return;
    if (info.isDirectory()) {
      if (rel && (SKIP_DIRS.has(path.basename(file)) || ig.ignores(rel + '/'))) return;
      for (const name of (await readdir(file)).sort()) await visit(path.join(file, name));
      return;
    }
    if (!info.isFile() || info.size > MAX_FILE_BYTES) return;
    if (rel && ig.ignores(rel)) return;
    if (globRe && !globRe.test(rel)) return;
    const buf = await readFile(file);
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
  await visit(opts.target);
  return { hits, truncated };
}
