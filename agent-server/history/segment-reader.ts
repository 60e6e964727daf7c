import * as path from 'node:path';
import { closeSync, openSync, readSync } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { PURGED_LINE } from './segment-purge.js';
import {
  parseJournalLine,
  type JournalEntry,
  type JournalPosition,
  type PositionedEntry,
} from './journal-entry.js';

const CHUNK = 1 << 20;
const NEWLINE = 0x0a;

/** Segment files in replay order (their names start with a creation timestamp). */
export async function listSegments(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((n) => n.endsWith('.jsonl')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/**
 * Reads complete lines of a segment from byte `from`, one batch per chunk. A last line
 * without its newline is a write still in progress (or cut by a crash before its fsync, so
 * never acknowledged): it is left for a later read. `end` is the offset after the last
 * complete line seen so far.
 */
export async function* readSegment(
  dir: string,
  segment: string,
  from: number,
): AsyncGenerator<{ entries: PositionedEntry[]; end: number }> {
  const file = path.join(dir, segment);
  const handle = await open(file, 'r');
  try {
    let offset = from;
    let carry: Buffer = Buffer.alloc(0);
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK);
      const { bytesRead } = await handle.read(chunk, 0, CHUNK, offset + carry.length);
      if (bytesRead === 0) return;
      const data = carry.length
        ? Buffer.concat([carry, chunk.subarray(0, bytesRead)])
        : chunk.subarray(0, bytesRead);
      const entries: PositionedEntry[] = [];
      let start = 0;
      for (let nl = data.indexOf(NEWLINE, start); nl !== -1; nl = data.indexOf(NEWLINE, start)) {
        const entry = parseJournalLine(data.toString('utf8', start, nl));
        const position = { segment, pos: offset + start, len: nl + 1 - start };
        if (entry) entries.push({ entry, position });
        else if (
          nl > start &&
          !data.toString('utf8', start, start + PURGED_LINE.length).startsWith(PURGED_LINE)
        ) {
          process.stderr.write(`cairn: skipping unreadable history line at ${file}:${position.pos}\n`);
        }
        start = nl + 1;
      }
      offset += start;
      carry = Buffer.from(data.subarray(start));
      yield { entries, end: offset };
    }
  } finally {
    await handle.close();
  }
}

/** Reads in flight per segment when entries are read back by position. */
const READS_AT_ONCE = 64;

/** Reads the entries at the given positions, in the order given. */
export async function readEntriesAt(dir: string, positions: JournalPosition[]): Promise<JournalEntry[]> {
  const out: JournalEntry[] = new Array(positions.length);
  const bySegment = new Map<string, number[]>();
  positions.forEach((p, i) => {
    const list = bySegment.get(p.segment) ?? [];
    list.push(i);
    bySegment.set(p.segment, list);
  });
  for (const [segment, indexes] of bySegment) {
    const file = path.join(dir, segment);
    const handle = await open(file, 'r');
    try {
      // Many at once: each read waits on the thread pool, which a busy machine makes slow.
      for (let from = 0; from < indexes.length; from += READS_AT_ONCE) {
        await Promise.all(
          indexes.slice(from, from + READS_AT_ONCE).map(async (i) => {
            const p = positions[i]!;
            const buf = Buffer.allocUnsafe(p.len);
            const { bytesRead } = await handle.read(buf, 0, p.len, p.pos);
            out[i] = entryAt(file, p, buf, bytesRead);
          }),
        );
      }
    } finally {
      await handle.close();
    }
  }
  return out;
}

/**
 * `readEntriesAt` for a few positions (a search's snippets), without the thread pool: a few
 * small reads of recently written pages take microseconds, while each trip through the pool
 * can take milliseconds on a busy machine.
 */
export function readFewEntriesAt(dir: string, positions: JournalPosition[]): JournalEntry[] {
  const out: JournalEntry[] = new Array(positions.length);
  const fds = new Map<string, number>();
  try {
    positions.forEach((p, i) => {
      const file = path.join(dir, p.segment);
      let fd = fds.get(file);
      if (fd === undefined) fds.set(file, (fd = openSync(file, 'r')));
      const buf = Buffer.allocUnsafe(p.len);
      out[i] = entryAt(file, p, buf, readSync(fd, buf, 0, p.len, p.pos));
    });
  } finally {
    for (const fd of fds.values()) closeSync(fd);
  }
  return out;
}

function entryAt(file: string, p: JournalPosition, buf: Buffer, bytesRead: number): JournalEntry {
  const entry = bytesRead === p.len ? parseJournalLine(buf.toString('utf8', 0, p.len - 1)) : undefined;
  if (!entry) throw new Error(`History journal ${file} has no entry at byte ${p.pos}; the index is stale.`);
  return entry;
}
