/** The history catalog's tables (see IndexCatalog). */

/** Bump when the schema changes: an index with another version is rebuilt from the journal. */
export const SCHEMA_VERSION = '5';

export const CATALOG_SCHEMA = `
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE segments(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, indexed_to INTEGER NOT NULL);
CREATE TABLE sessions(
  id TEXT PRIMARY KEY, cwd TEXT NOT NULL, title TEXT, model TEXT, parent_id TEXT,
  -- JSON: SessionOrigin and SessionSettings.
  origin TEXT, origin_kind TEXT, origin_session TEXT, settings TEXT,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, record_count INTEGER NOT NULL DEFAULT 0,
  text_bytes INTEGER NOT NULL DEFAULT 0);
CREATE INDEX sessions_by_time ON sessions(updated_at, id);
CREATE INDEX sessions_by_cwd ON sessions(cwd, updated_at, id);
CREATE INDEX sessions_by_parent ON sessions(parent_id);
CREATE INDEX sessions_by_origin ON sessions(origin_session);
CREATE TABLE deleted_sessions(id TEXT PRIMARY KEY);
-- Where a session's own entries (creation, title updates) are, to blank them out when it is deleted.
CREATE TABLE session_entries(session_id TEXT NOT NULL, seg INTEGER NOT NULL, pos INTEGER NOT NULL, len INTEGER NOT NULL);
CREATE INDEX session_entries_by_session ON session_entries(session_id);
-- Journal lines of deleted sessions still to be blanked out (see HistoryStore.purge).
CREATE TABLE purge_queue(seg INTEGER NOT NULL, pos INTEGER NOT NULL, len INTEGER NOT NULL, session_id TEXT NOT NULL,
  PRIMARY KEY(seg, pos));
-- Time shards of the record index, oldest first; gen names the file that holds each one.
CREATE TABLE shards(id INTEGER PRIMARY KEY, gen TEXT NOT NULL, sealed INTEGER NOT NULL DEFAULT 0,
  records INTEGER NOT NULL DEFAULT 0, first_at INTEGER, last_at INTEGER);
CREATE TABLE session_shards(session_id TEXT NOT NULL, shard_id INTEGER NOT NULL, PRIMARY KEY(session_id, shard_id));
CREATE INDEX session_shards_by_shard ON session_shards(shard_id);
-- Deleted sessions whose records are still in a sealed shard (removed by the purge pass).
CREATE TABLE shard_deletes(shard_id INTEGER NOT NULL, session_id TEXT NOT NULL, PRIMARY KEY(shard_id, session_id));
`;
