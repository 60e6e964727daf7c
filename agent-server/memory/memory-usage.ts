import * as path from 'node:path';
import { mkdir, readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../util/atomic-write.js';
import { lockFile } from '../util/file-lock.js';
import { entryKey } from './entry-provenance.js';

/** How often a memory entry was in a session's prompt, and when last. */
export interface MemoryUsageRecord {
  /** Sessions whose prompt carried the entry. */
  uses: number;
  /** ISO time of the last such session's first turn. */
  lastUsed: string;
}

interface UsageFile {
  version: 1;
  entries: Record<string, MemoryUsageRecord>;
}

/**
 * `<home>/memory-usage.json`: per memory entry (its file relative to Cairn's home and a hash of
 * its text, so an edited entry starts again), the sessions that loaded it. Written once per
 * session, when the session records what it loaded, under a lock so that several Cairn
 * processes never lose each other's counts.
 */
export class MemoryUsage {
  readonly file: string;

  constructor(private readonly home: string) {
    this.file = path.join(home, 'memory-usage.json');
  }

  keyOf(memoryFile: string, entry: string): string {
    return `${path.relative(this.home, memoryFile).split(path.sep).join('/')}#${entryKey(entry)}`;
  }

  async all(): Promise<Record<string, MemoryUsageRecord>> {
    return (await this.read()).entries;
  }

  async get(memoryFile: string, entry: string): Promise<MemoryUsageRecord | undefined> {
    return (await this.all())[this.keyOf(memoryFile, entry)];
  }

  /** Counts one session's loading of these entries. */
  async recordLoaded(loaded: { file: string; entry: string }[], when = new Date()): Promise<void> {
    if (!loaded.length) return;
    await mkdir(this.home, { recursive: true });
    const { release } = await lockFile(this.file);
    try {
      const data = await this.read();
      for (const key of new Set(loaded.map((l) => this.keyOf(l.file, l.entry)))) {
        const prev = data.entries[key];
        data.entries[key] = { uses: (prev?.uses ?? 0) + 1, lastUsed: when.toISOString() };
      }
      await writeFileAtomic(this.file, JSON.stringify(data, null, 2) + '\n');
    } finally {
      await release();
    }
  }

  private async read(): Promise<UsageFile> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, entries: {} };
      throw err;
    }
    try {
      const parsed = JSON.parse(text) as Partial<UsageFile>;
      if (parsed && typeof parsed.entries === 'object' && parsed.entries)
        return { version: 1, entries: parsed.entries };
    } catch {
      // Fall through: usage is only statistics; a damaged file starts again rather than fail.
    }
    console.error(`cairn: ${this.file} is not valid usage data; starting a new one.`);
    return { version: 1, entries: {} };
  }
}
