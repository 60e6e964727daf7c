import * as path from 'node:path';
import { readFile, rm } from 'node:fs/promises';
import { listSegments } from './segment-reader.js';
import { PURGED_LINE } from './segment-purge.js';

/**
 * Removes journal segments that hold nothing any more: every line blanked out (their sessions
 * were deleted or pruned) and their writer gone, so no line can be added. Blanking keeps a
 * file's size (no other position moves); removing the emptied file is what frees the disk.
 */
export async function removeEmptySegments(
  journalDir: string,
  ownSegment: string | undefined,
  writerAlive: (segment: string) => boolean,
): Promise<number> {
  let removed = 0;
  for (const segment of await listSegments(journalDir)) {
    if (segment === ownSegment || writerAlive(segment)) continue;
    const file = path.join(journalDir, segment);
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    const empty = text.split('\n').every((line) => line.trim() === '' || line.startsWith(PURGED_LINE));
    if (!empty) continue;
    await rm(file, { force: true });
    removed++;
  }
  return removed;
}
