import type {
  HistoryRecord,
  ListSessionsQuery,
  NewSession,
  SearchHit,
  SearchOutcome,
  SearchQuery,
  SessionMeta,
  SessionPage,
  SessionPatch,
  StoredRecord,
} from './types.js';

/**
 * Durable, searchable session history: what sessions, the session search tool and the front
 * ends need. `JournalHistoryStore` keeps it on disk (journal + SQLite index);
 * `InMemoryHistoryStore` keeps it in arrays for tests and runs that must leave nothing behind.
 */
export interface HistoryStore {
  createSession(session: NewSession): Promise<SessionMeta>;
  /** Resolves once the record is durable. */
  append(sessionId: string, record: HistoryRecord): Promise<void>;
  updateSession(id: string, patch: SessionPatch): Promise<void>;
  getSession(id: string): Promise<SessionMeta | undefined>;
  /** Newest first. */
  listSessions(query?: ListSessionsQuery): Promise<SessionPage>;
  /** The newest session continuing `id` (a compaction's child), if any. */
  childOf(id: string): Promise<SessionMeta | undefined>;
  /** A session's records in order; `from`/`to` select ords `from <= ord < to`. */
  readSession(id: string, range?: { from?: number; to?: number }): Promise<StoredRecord[]>;
  search(query: SearchQuery): Promise<SearchHit[]>;
  /**
   * Search that also says what it covered (too many matches to rank, how far back it looked);
   * scores favour `preferCwd` and recent messages. Stores without it are searched with `search`.
   */
  searchRanked?(query: SearchQuery & { preferCwd?: string }): Promise<SearchOutcome>;
  /** Removes a session from listings and search; false when there is no such session. */
  deleteSession(id: string): Promise<boolean>;
  /** Finishes pending writes and releases the store. */
  close(): Promise<void>;
}
