import type { HistoryRecord, NewSession, SessionPatch } from './types.js';

/**
 * One line of the journal: the source of truth for history. The SQLite index is rebuilt
 * from these, so the shape is an on-disk format: change it only on purpose.
 */
export type JournalEntry =
  | { op: 'session'; session: NewSession & { createdAt: number }; at: number }
  | { op: 'update'; id: string; patch: SessionPatch; at: number }
  | { op: 'record'; sessionId: string; record: HistoryRecord & { at: number } }
  | { op: 'delete'; id: string; at: number };

/** Where an entry lives: a journal segment and the byte range of its line. */
export interface JournalPosition {
  segment: string;
  pos: number;
  len: number;
}

export interface PositionedEntry {
  entry: JournalEntry;
  position: JournalPosition;
}

/** Reads a parsed line; `undefined` for a line that is not a journal entry (logged by the caller). */
export function parseJournalLine(text: string): JournalEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const op = (value as { op?: unknown }).op;
  if (op === 'session' || op === 'update' || op === 'record' || op === 'delete') return value as JournalEntry;
  return undefined;
}
