import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { AnchoredFiles } from '../workspace/anchored-files.js';
import { listSkillFolder } from './skill-disk.js';

/** Folders of a skill that may hold linked files (Agent Skills layout). */
export const SKILL_SUBFOLDERS = ['references', 'templates', 'scripts', 'assets'] as const;
const MAX_LISTED = 200;

/**
 * Files a skill links to, relative to its folder (`references/api.md`), sorted.
 * Anything in the folder besides SKILL.md counts; hidden files and links are skipped.
 * `within`: list anchored there (repo skills), so a swapped folder never lists the home.
 */
export async function listLinkedFiles(skillDir: string, within?: AnchoredFiles): Promise<string[]> {
  const out: string[] = [];
  async function walk(rel: string, depth: number): Promise<void> {
    if (out.length >= MAX_LISTED || depth > 4) return;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await listSkillFolder(path.join(skillDir, rel), within);
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name.startsWith('.')) continue;
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(childRel, depth + 1);
      else if (e.isFile() && childRel !== 'SKILL.md' && out.length < MAX_LISTED) out.push(childRel);
    }
  }
  await walk('', 0);
  return out;
}

/**
 * Resolves a linked file's relative path inside the skill folder; throws with a clear message
 * for anything that would leave it (`..`, absolute paths, links pointing out).
 */
export async function resolveLinkedFile(skillDir: string, filePath: string): Promise<string> {
  if (!filePath || filePath.includes('\0'))
    throw new Error('file_path must be a relative path such as references/api.md.');
  if (path.isAbsolute(filePath))
    throw new Error(`file_path "${filePath}" must be relative to the skill folder.`);
  const abs = path.resolve(skillDir, filePath);
  const rel = path.relative(skillDir, abs);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new Error(`file_path "${filePath}" is outside the skill folder.`);
  }
  try {
    const [real, realDir] = await Promise.all([fs.realpath(abs), fs.realpath(skillDir)]);
    const realRel = path.relative(realDir, real);
    if (realRel.startsWith('..') || path.isAbsolute(realRel)) {
      throw new Error(`file_path "${filePath}" links to outside the skill folder.`);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return abs;
}

/** Where a new linked file may be written: inside one of the standard subfolders. */
export function checkWritableLinkedPath(filePath: string): void {
  const first = filePath.replace(/\\/g, '/').split('/')[0] ?? '';
  if (
    !(SKILL_SUBFOLDERS as readonly string[]).includes(first) ||
    filePath.replace(/\\/g, '/').split('/').length < 2
  ) {
    throw new Error(
      `file_path "${filePath}" must be inside one of ${SKILL_SUBFOLDERS.join('/, ')}/ (for example references/notes.md). SKILL.md itself is changed with edit or patch.`,
    );
  }
}
