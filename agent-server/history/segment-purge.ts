import * as path from 'node:path';
import { open, type FileHandle } from 'node:fs/promises';
import { parseJournalLine, type JournalEntry, type JournalPosition } from './journal-entry.js';

/** What a blanked-out line starts with; the rest of it is spaces, so no other line moves. */
export const PURGED_LINE = '{"op":"purged"}';

/** The session a journal entry carries data of. */
export function entrySession(entry: JournalEntry): string {
  switch (entry.op) {
    case 'session':
      return entry.session.id;
    case 'record':
      return entry.sessionId;
    case 'update':
    case 'delete':
      return entry.id;
  }
}

/**
 * Overwrites a deleted session's journal line in place with a filler of the same length, so
 * its text leaves the disk while every other position (which indexes in other processes may
 * hold) stays valid. A crash halfway leaves an unreadable line, which readers skip. Returns
 * false when the line does not hold that session's data (already blanked, or gone).
 */
export async function blankOutLine(
  dir: string,
  position: JournalPosition,
  sessionId: string,
): Promise<boolean> {
  let handle: FileHandle;
  try {
    handle = await open(path.join(dir, position.segment), 'r+');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  try {
    const line = Buffer.alloc(position.len);
    const { bytesRead } = await handle.read(line, 0, position.len, position.pos);
    if (bytesRead !== position.len || line[position.len - 1] !== 0x0a) return false;
    const entry = parseJournalLine(line.toString('utf8', 0, position.len - 1));
    if (!entry || entry.op === 'delete' || entrySession(entry) !== sessionId) return false;
    const filler = Buffer.alloc(position.len - 1, 0x20);
    filler.write(PURGED_LINE, 0, 'utf8');
    await handle.write(filler, 0, filler.length, position.pos);
    await handle.datasync();
    return true;
  } finally {
    await handle.close();
  }
}
