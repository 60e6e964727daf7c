export { JournalHistoryStore, type HistoryStoreOptions, type HistoryStats } from './history-store.js';
export { InMemoryHistoryStore } from './in-memory-store.js';
export type { HistoryStore } from './store.js';
export type {
  HistoryRecord,
  ListSessionsQuery,
  NewSession,
  SearchHit,
  SearchOutcome,
  SearchQuery,
  SearchRole,
  SessionMeta,
  SessionOrigin,
  SessionPage,
  SessionPatch,
  StoredRecord,
  StoredToolCall,
} from './types.js';
export { SessionRecorder } from './session-recorder.js';
export { titleFromFirstExchange } from './session-title.js';
export { conversationFromRecords } from './conversation-records.js';
