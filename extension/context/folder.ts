import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';

/** Entries listed at most in a folder's tree. */
export const MAX_TREE_ENTRIES = 400;
const ALWAYS_SKIPPED = new Set(['.git', 'node_modules']);

export type FolderTree = { text: string; files: string[] };

type Rules = { base: string; rules: Ignore };

async function rulesIn(dir: string): Promise<Rules | null> {
  try {
    return { base: dir, rules: ignore().add(await fs.readFile(path.join(dir, '.gitignore'), 'utf8')) };
  } catch {
    return null;
  }
}

function ignored(all: readonly Rules[], full: string, isDir: boolean): boolean {
  return all.some((r) => {
    const rel = path.relative(r.base, full).split(path.sep).join('/');
    return rel !== '' && !rel.startsWith('..') && r.rules.ignores(isDir ? `${rel}/` : rel);
  });
}

/**
 * The folder's tree (indented, folders first), leaving out what `.gitignore` files from the
 * workspace root down ignore, `.git` and `node_modules`; at most `MAX_TREE_ENTRIES` entries.
 */
export async function folderTree(workspaceRoot: string, folder: string): Promise<FolderTree> {
  const inherited: Rules[] = [];
  for (let dir = folder; ; dir = path.dirname(dir)) {
    const rel = path.relative(workspaceRoot, dir);
    if (rel.startsWith('..') || path.isAbsolute(rel)) break;
    if (dir !== folder) {
      const r = await rulesIn(dir);
      if (r) inherited.push(r);
    }
    if (dir === workspaceRoot) break;
  }
  const lines: string[] = [`${path.relative(workspaceRoot, folder) || '.'}/`];
  const files: string[] = [];
  let left = MAX_TREE_ENTRIES;
  let omitted = 0;

  const walk = async (dir: string, depth: number, rules: Rules[]): Promise<void> => {
    const own = await rulesIn(dir);
    const all = own ? [...rules, own] : rules;
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => Number(b.isDirectory()) - Number(a.isDirectory()) || a.name.localeCompare(b.name));
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (ALWAYS_SKIPPED.has(e.name) || ignored(all, full, e.isDirectory())) continue;
      if (left <= 0) {
        omitted++;
        continue;
      }
      left--;
      lines.push(`${'  '.repeat(depth)}${e.name}${e.isDirectory() ? '/' : ''}`);
      if (e.isDirectory()) await walk(full, depth + 1, all);
      else if (e.isFile()) files.push(full);
    }
  };
  await walk(folder, 1, inherited);
  if (omitted) lines.push(`[… ${omitted} more entries not listed]`);
  return { text: lines.join('\n'), files };
}

/**
 * Files of a folder the prompt seems to be about: those whose name (or name without extension)
 * appears as a word in the prompt, best matches first.
 */
export function filesNamedIn(prompt: string, files: readonly string[], folder: string): string[] {
  const tokens = prompt.toLowerCase().match(/[a-z0-9_.-]{3,}/g) ?? [];
  // `parser.ts` names the file and its stem.
  const words = new Set([...tokens, ...tokens.flatMap((t) => t.split('.'))]);
  const scored = files
    .map((file) => {
      const rel = path.relative(folder, file).toLowerCase();
      const base = path.basename(rel);
      const stem = base.replace(/\.[^.]+$/, '');
      let score = 0;
      if (words.has(base)) score += 3;
      if (words.has(stem)) score += 2;
      // A folder named in the prompt ranks its named files higher, but names no file by itself.
      if (score > 0) for (const part of rel.split('/').slice(0, -1)) if (words.has(part)) score += 1;
      return { file, score };
    })
    .filter((s) => s.score > 0);
  return scored.sort((a, b) => b.score - a.score || a.file.localeCompare(b.file)).map((s) => s.file);
}
