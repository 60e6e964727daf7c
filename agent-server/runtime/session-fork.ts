import type { HistoryRecord, StoredRecord } from '../history/index.js';

/** A fork point the session does not have (fewer user prompts than asked for). */
export class ForkPointError extends Error {
  override name = 'ForkPointError';
}

/**
 * The records a fork starts from. `segments` is the session's history chain, oldest first
 * (each compaction continues in a new segment that opens with the summary and copies of the
 * latest turns). Without `beforeUserMessage` the fork has the whole conversation: the newest
 * segment. With N it has everything before the user's Nth prompt (0-based, counted as a client
 * shows them: copies a compaction carried over are not counted twice), taken from the segment
 * holding that prompt, so the model continues from exactly what it knew there.
 */
export function forkRecords(
  segments: readonly (readonly StoredRecord[])[],
  beforeUserMessage?: number,
): HistoryRecord[] {
  if (beforeUserMessage === undefined) return (segments[segments.length - 1] ?? []).map(stripOrd);
  if (!Number.isInteger(beforeUserMessage) || beforeUserMessage < 0)
    throw new ForkPointError(`beforeUserMessage must be a whole number ≥ 0, got ${beforeUserMessage}`);
  let seen = 0;
  for (const records of segments) {
    let carried = 0;
    for (const [i, r] of records.entries()) {
      if (r.type === 'compaction') {
        carried = r.carried;
        continue;
      }
      if (r.type !== 'message') continue;
      if (carried > 0) {
        carried--;
        continue;
      }
      if (r.message.role !== 'user') continue;
      if (seen === beforeUserMessage) return records.slice(0, i).map(stripOrd);
      seen++;
    }
  }
  throw new ForkPointError(
    `The session has ${seen} user message${seen === 1 ? '' : 's'}; cannot fork before message ${beforeUserMessage}.`,
  );
}

/** A stored record as it is appended again (its time kept, its position given by the new session). */
function stripOrd(record: StoredRecord): HistoryRecord {
  const { ord: _ord, ...rest } = record;
  return rest as HistoryRecord;
}
