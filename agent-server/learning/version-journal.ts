import * as path from 'node:path';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { asProvenance, describeProvenance, type Provenance } from './provenance.js';

/**
 * Versions of user-level learning (memory files, user skills) in Cairn's home: one JSON line per
 * change in `<home>/versions/<key>.jsonl`, holding the whole content after the change (memory
 * files and skills are small) and the provenance as its message. Append-only, so a crash leaves
 * at most a torn last line, which reading skips.
 */
export interface Version<T> {
  /** 1-based, in order of writing. */
  number: number;
  at: string;
  /** What changed and who did it: the provenance, `by hand`, or a restore. */
  message: string;
  provenance?: Provenance;
  /** The content after the change; null when the change removed it. */
  content: T | null;
}

interface StoredVersion<T> {
  at: string;
  message: string;
  provenance?: Provenance;
  content: T | null;
}

export class VersionJournal<T> {
  constructor(
    private readonly home: string,
    /** How two contents compare, to notice hand edits made between recorded versions. */
    private readonly same: (a: T | null, b: T | null) => boolean = (a, b) =>
      JSON.stringify(a) === JSON.stringify(b),
  ) {}

  fileOf(key: string): string {
    const parts = key.split('/');
    if (parts.some((p) => !p || p === '.' || p === '..')) throw new Error(`not a version key: ${key}`);
    return path.join(this.home, 'versions', ...parts) + '.jsonl';
  }

  async list(key: string): Promise<Version<T>[]> {
    let text: string;
    try {
      text = await readFile(this.fileOf(key), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: Version<T>[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let stored: StoredVersion<T>;
      try {
        stored = JSON.parse(line) as StoredVersion<T>;
      } catch {
        continue; // a torn last line after a crash
      }
      if (typeof stored?.at !== 'string' || typeof stored.message !== 'string' || !('content' in stored))
        continue;
      const provenance = asProvenance(stored.provenance);
      out.push({
        number: out.length + 1,
        at: stored.at,
        message: stored.message,
        ...(provenance ? { provenance } : {}),
        content: stored.content,
      });
    }
    return out;
  }

  async get(key: string, number: number): Promise<Version<T> | undefined> {
    return (await this.list(key)).find((v) => v.number === number);
  }

  /**
   * Records one change. `before` is the content just before it: when it is not the last recorded
   * version (the first change, or one after a hand edit), it is recorded first as `by hand`, so
   * every state the user had can be brought back.
   */
  async record(
    key: string,
    change: { before: T | null; after: T | null; provenance?: Provenance; message?: string; at?: Date },
  ): Promise<void> {
    const versions = await this.list(key);
    const last = versions.at(-1);
    const lines: StoredVersion<T>[] = [];
    const at = (change.at ?? new Date()).toISOString();
    const knownBefore = last ? last.content : null;
    if (!this.same(knownBefore, change.before))
      lines.push({ at, message: 'by hand (found on disk before this change)', content: change.before });
    lines.push({
      at,
      message: change.message ?? describeProvenance(change.provenance),
      ...(change.provenance ? { provenance: change.provenance } : {}),
      content: change.after,
    });
    const file = this.fileOf(key);
    await mkdir(path.dirname(file), { recursive: true });
    await appendFile(file, lines.map((l) => JSON.stringify(l) + '\n').join(''), { mode: 0o600 });
  }
}
