import * as path from 'node:path';
import { mkdir, readFile } from 'node:fs/promises';
import { projectDir } from '../config/home.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { lockMemoryFile, removeDeadWritersTemps } from './memory-lock.js';
import { scanContent } from '../security/content-scan.js';
import {
  applyEdit,
  countChars,
  formatUsage,
  limitFor,
  MemoryEditError,
  parseEntries,
  serializeEntries,
  type MemoryEdit,
  type MemoryLimits,
  type MemoryScope,
  type MemoryTarget,
} from './entries.js';
import { snapshotFile, type MemoryFileSnapshot, type MemorySnapshot } from './snapshot.js';

/** What the memory tool and the session need from a memory store (file-backed or in memory). */
export interface CuratedMemory {
  snapshot(): Promise<MemorySnapshot>;
  /** Applies one edit and returns a short report for the model. Throws MemoryEditError. */
  edit(scope: MemoryScope, target: MemoryTarget, edit: MemoryEdit): Promise<MemoryEditReport>;
}

export interface MemoryEditReport {
  message: string;
  path: string;
  chars: number;
  limit: number;
  changed: boolean;
}

export const MEMORY_FILE_NAMES: Record<MemoryTarget, string> = { memory: 'MEMORY.md', user: 'USER.md' };
export const MEMORY_FILE_ORDER: [MemoryScope, MemoryTarget][] = [
  ['global', 'memory'],
  ['global', 'user'],
  ['project', 'memory'],
  ['project', 'user'],
];

export function memoryLabel(scope: MemoryScope, target: MemoryTarget): string {
  return `${scope === 'global' ? 'global' : 'project'} ${target === 'memory' ? 'notes (MEMORY.md)' : 'user profile (USER.md)'}`;
}

/** Refuses content the scanner flags, with its reasons, before anything touches disk. */
export function checkContent(edit: MemoryEdit): void {
  if (edit.action === 'remove') return;
  const scan = scanContent(edit.content, 'memory');
  if (!scan.ok)
    throw new MemoryEditError(
      `Not saved: the text looks like a prompt injection or exfiltration attempt (${scan.reasons.join('; ')}). ` +
        'Memory holds facts and preferences, not instructions that override the user or move secrets.',
    );
}

/**
 * Curated memory in Cairn's home: `<home>/MEMORY.md` and `<home>/USER.md`, plus the same
 * pair for the workspace under `projectDir(home, cwd)`. Every write takes a lock on the
 * file (so several Cairn processes never lose each other's writes), re-reads it under the
 * lock (so hand edits and other processes' writes are kept) and replaces it atomically.
 */
export class MemoryStore implements CuratedMemory {
  constructor(
    private readonly home: string,
    private readonly cwd: string,
    private readonly limits: MemoryLimits,
  ) {}

  filePath(scope: MemoryScope, target: MemoryTarget): string {
    const dir = scope === 'global' ? this.home : projectDir(this.home, this.cwd);
    return path.join(dir, MEMORY_FILE_NAMES[target]);
  }

  async snapshot(): Promise<MemorySnapshot> {
    const files: MemoryFileSnapshot[] = [];
    for (const [scope, target] of MEMORY_FILE_ORDER) {
      const file = this.filePath(scope, target);
      const limit = limitFor(target, this.limits);
      // Start of a session: what a writer that died mid-write left behind goes.
      await removeDeadWritersTemps(file);
      try {
        files.push(snapshotFile(scope, target, file, await readText(file), limit));
      } catch (err) {
        // An unreadable memory file must not stop the session; say so where the user looks.
        console.error(`cairn: could not read memory file ${file}: ${(err as Error).message}`);
        files.push({ ...snapshotFile(scope, target, file, '', limit), problem: (err as Error).message });
      }
    }
    return { workspace: path.resolve(this.cwd), files };
  }

  async edit(scope: MemoryScope, target: MemoryTarget, edit: MemoryEdit): Promise<MemoryEditReport> {
    checkContent(edit);
    const file = this.filePath(scope, target);
    const limit = limitFor(target, this.limits);
    const label = memoryLabel(scope, target);
    await mkdir(path.dirname(file), { recursive: true });
    const { release } = await lockMemoryFile(file);
    try {
      await removeDeadWritersTemps(file);
      const entries = parseEntries(await readText(file));
      const result = applyEdit(entries, edit, limit, label);
      if (result.changed) await writeFileAtomic(file, serializeEntries(result.entries));
      const chars = countChars(result.entries);
      return {
        message: `${result.note} ${formatUsage(chars, limit)}. Saved to disk; it shows in the system prompt from the next session.`,
        path: file,
        chars,
        limit,
        changed: result.changed,
      };
    } finally {
      await release();
    }
  }
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}
