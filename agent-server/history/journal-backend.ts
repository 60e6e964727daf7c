import { readEntriesAt, readFewEntriesAt } from './segment-reader.js';
import { SegmentWriter } from './segment-writer.js';
import { blankOutLine } from './segment-purge.js';
import type { JournalEntry, JournalPosition, PositionedEntry } from './journal-entry.js';

/** Where entries go and come back from: segment files on disk, or an array for tests. */
export interface JournalBackend {
  append(entry: JournalEntry): Promise<void>;
  read(positions: JournalPosition[]): Promise<JournalEntry[]>;
  /** `read` for a few positions at once (a search's snippets); may block briefly. */
  readFew(positions: JournalPosition[]): JournalEntry[];
  /** Removes a deleted session's line from storage; false if it no longer holds that session. */
  blankOut(position: JournalPosition, sessionId: string): Promise<boolean>;
  close(): Promise<void>;
}

/** This process's segment in `journalDir`; `onDurable` gets each batch once it is fsync'd. */
export function diskJournal(
  journalDir: string,
  onDurable: (batch: PositionedEntry[]) => void,
): JournalBackend & { ownSegment: string } {
  const writer = new SegmentWriter(journalDir, onDurable);
  return {
    ownSegment: writer.name,
    append: (entry) => writer.append(entry),
    read: (positions) => readEntriesAt(journalDir, positions),
    readFew: (positions) => readFewEntriesAt(journalDir, positions),
    blankOut: (position, sessionId) => blankOutLine(journalDir, position, sessionId),
    close: () => writer.close(),
  };
}

/** Entries in an array: history that lives only in this process. */
export function memoryJournal(onDurable: (batch: PositionedEntry[]) => void): JournalBackend {
  const entries: JournalEntry[] = [];
  const copyOf = (p: JournalPosition) => JSON.parse(JSON.stringify(entries[p.pos])) as JournalEntry;
  return {
    append: async (entry) => {
      // A deep copy, like a round trip through the journal: callers may mutate their objects.
      const copy = JSON.parse(JSON.stringify(entry)) as JournalEntry;
      entries.push(copy);
      onDurable([{ entry: copy, position: { segment: 'memory', pos: entries.length - 1, len: 1 } }]);
    },
    read: async (positions) => positions.map(copyOf),
    readFew: (positions) => positions.map(copyOf),
    blankOut: async (position) => {
      entries[position.pos] = { op: 'purged' } as unknown as JournalEntry;
      return true;
    },
    close: async () => undefined,
  };
}
