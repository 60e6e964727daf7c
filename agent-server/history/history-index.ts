import type { Database, SqlJsStatic, SqlValue, Statement } from 'sql.js';
import {
  clampLimit,
  countWords,
  decodeCursor,
  encodeCursor,
  rows,
  toMeta,
  type SessionRow,
} from './index-rows.js';
import type { JournalPosition, PositionedEntry } from './journal-entry.js';
import { recordRole, searchableText } from './record-text.js';
import { bm25, toMatchExpressions } from './search-query.js';
import type {
  HistoryRecord,
  ListSessionsQuery,
  SearchHit,
  SearchQuery,
  SearchRole,
  SessionMeta,
  SessionPage,
} from './types.js';

/** Matches ranked per query (the newest ones); see `rankedMatches`. */
const CANDIDATES = 5000;

/** Bump when the schema changes: an index with another version is rebuilt from the journal. */
const SCHEMA_VERSION = '3';

const SCHEMA = `
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE segments(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, indexed_to INTEGER NOT NULL);
CREATE TABLE sessions(
  id TEXT PRIMARY KEY, cwd TEXT NOT NULL, title TEXT, model TEXT, parent_id TEXT,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, record_count INTEGER NOT NULL DEFAULT 0);
CREATE INDEX sessions_by_time ON sessions(updated_at, id);
CREATE INDEX sessions_by_cwd ON sessions(cwd, updated_at, id);
CREATE INDEX sessions_by_parent ON sessions(parent_id);
CREATE TABLE deleted_sessions(id TEXT PRIMARY KEY);
-- Where a session's own entries (creation, title updates) are, to blank them out when it is deleted.
CREATE TABLE session_entries(session_id TEXT NOT NULL, seg INTEGER NOT NULL, pos INTEGER NOT NULL, len INTEGER NOT NULL);
CREATE INDEX session_entries_by_session ON session_entries(session_id);
-- Journal lines of deleted sessions still to be blanked out (see HistoryStore.purge).
CREATE TABLE purge_queue(seg INTEGER NOT NULL, pos INTEGER NOT NULL, len INTEGER NOT NULL, session_id TEXT NOT NULL,
  PRIMARY KEY(seg, pos));
CREATE TABLE records(
  id INTEGER PRIMARY KEY, session_id TEXT NOT NULL, ord INTEGER NOT NULL, role TEXT NOT NULL,
  at INTEGER NOT NULL, seg INTEGER NOT NULL, pos INTEGER NOT NULL, len INTEGER NOT NULL,
  body TEXT, words INTEGER NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX records_by_session ON records(session_id, ord);
-- matchinfo=fts3: no per-row size table; BM25 gets lengths from records.words instead,
-- which is cheaper per ranked row and smaller on disk.
CREATE VIRTUAL TABLE records_fts USING fts4(content="records", body, tokenize=porter, matchinfo=fts3);
`;

export interface IndexedRecord {
  ord: number;
  at: number;
  position: JournalPosition;
}

/**
 * The SQLite (sql.js, in memory) index over the journal: sessions, record positions, and
 * an FTS4 table over message text. It holds no data the journal lacks; a snapshot of it
 * (`export()`) records how far into each segment it has read.
 */
export class HistoryIndex {
  private readonly segmentIds = new Map<string, number>();
  /** Searchable records and their words, for BM25's average length. */
  private docs = 0;
  private words = 0;
  private readonly segmentNames = new Map<number, string>();
  private readonly stmt: Record<
    | 'session'
    | 'insertSession'
    | 'touchSession'
    | 'insertRecord'
    | 'lastId'
    | 'insertFts'
    | 'segmentTo'
    | 'isDeleted',
    Statement
  >;

  private constructor(private readonly db: Database) {
    // The database lives in memory and the journal is the durable copy: SQLite's own rollback
    // journal and syncs would only copy bytes around inside WebAssembly memory. secure_delete:
    // a deleted session's text must not survive in free pages of the snapshot.
    db.exec(
      'PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF; PRAGMA temp_store = MEMORY; PRAGMA secure_delete = ON',
    );
    db.create_function('bm25', (info: Uint8Array, words: number, docs: number, avgWords: number) =>
      bm25(info, words, docs, avgWords),
    );
    const totals = rows<{ docs: number; words: number }>(
      db,
      'SELECT count(*) AS docs, total(words) AS words FROM records WHERE words > 0',
    )[0]!;
    this.docs = totals.docs;
    this.words = totals.words;
    for (const { id, name } of rows<{ id: number; name: string }>(db, 'SELECT id, name FROM segments')) {
      this.segmentIds.set(name, id);
      this.segmentNames.set(id, name);
    }
    this.stmt = {
      session: db.prepare('SELECT * FROM sessions WHERE id = ?'),
      insertSession: db.prepare(
        'INSERT OR IGNORE INTO sessions(id, cwd, title, model, parent_id, created_at, updated_at) VALUES (?,?,?,?,?,?,?)',
      ),
      touchSession: db.prepare(
        'UPDATE sessions SET record_count = record_count + 1, updated_at = max(updated_at, ?) WHERE id = ?',
      ),
      insertRecord: db.prepare(
        'INSERT INTO records(session_id, ord, role, at, seg, pos, len, body, words) VALUES (?,?,?,?,?,?,?,?,?)',
      ),
      lastId: db.prepare('SELECT last_insert_rowid()'),
      insertFts: db.prepare('INSERT INTO records_fts(docid, body) VALUES (?, ?)'),
      segmentTo: db.prepare('UPDATE segments SET indexed_to = max(indexed_to, ?) WHERE id = ?'),
      isDeleted: db.prepare('SELECT 1 FROM deleted_sessions WHERE id = ?'),
    };
  }

  /** Opens a snapshot, or starts empty when there is none or it cannot be used. */
  static open(sql: SqlJsStatic, snapshot?: Uint8Array): { index: HistoryIndex; fromSnapshot: boolean } {
    if (snapshot) {
      let db: Database | undefined;
      try {
        db = new sql.Database(snapshot);
        const version = rows<{ value: string }>(db, "SELECT value FROM meta WHERE key = 'schema'")[0]?.value;
        if (version === SCHEMA_VERSION) return { index: new HistoryIndex(db), fromSnapshot: true };
        process.stderr.write(`cairn: history index has schema ${version}; rebuilding it from the journal\n`);
      } catch (err) {
        process.stderr.write(`cairn: history index unreadable (${(err as Error).message}); rebuilding it\n`);
      }
      db?.close();
    }
    const db = new sql.Database();
    db.exec(SCHEMA);
    db.run("INSERT INTO meta(key, value) VALUES ('schema', ?)", [SCHEMA_VERSION]);
    return { index: new HistoryIndex(db), fromSnapshot: false };
  }

  /** Bytes of `segment` already in the index. */
  indexedTo(segment: string): number {
    const id = this.segmentIds.get(segment);
    if (id === undefined) return 0;
    return rows<{ n: number }>(this.db, 'SELECT indexed_to AS n FROM segments WHERE id = ?', [id])[0]?.n ?? 0;
  }

  /** Applies durable journal entries in one transaction, and moves the segments' read marks. */
  apply(batch: PositionedEntry[], segmentEnd?: { segment: string; end: number }): void {
    if (!batch.length && !segmentEnd) return;
    this.db.exec('BEGIN');
    const ends = new Map<number, number>();
    try {
      for (const { entry, position } of batch) {
        const seg = this.segmentId(position.segment);
        switch (entry.op) {
          case 'session': {
            if (this.isDeleted(entry.session.id)) {
              this.queuePurge(entry.session.id, seg, position);
              break;
            }
            const s = entry.session;
            this.addSessionEntry(s.id, seg, position);
            this.stmt.insertSession.run([
              s.id,
              s.cwd,
              s.title ?? null,
              s.model ?? null,
              s.parentId ?? null,
              s.createdAt,
              s.createdAt,
            ]);
            break;
          }
          case 'update': {
            const row = this.sessionRow(entry.id);
            if (!row) {
              if (this.isDeleted(entry.id)) this.queuePurge(entry.id, seg, position);
              break;
            }
            this.addSessionEntry(entry.id, seg, position);
            const p = entry.patch;
            this.db.run(
              // Not activity: a title set after the first exchange must not reorder the list.
              'UPDATE sessions SET title = ?, model = ?, parent_id = ? WHERE id = ?',
              [
                p.title !== undefined ? p.title : row.title,
                p.model !== undefined ? p.model : row.model,
                p.parentId !== undefined ? p.parentId : row.parent_id,
                entry.id,
              ],
            );
            break;
          }
          case 'record':
            this.applyRecord(entry.sessionId, entry.record, entry.record.at, seg, position);
            break;
          case 'delete': {
            const gone = rows<{ docs: number; words: number }>(
              this.db,
              'SELECT count(*) AS docs, total(words) AS words FROM records WHERE session_id = ? AND words > 0',
              [entry.id],
            )[0]!;
            this.docs -= gone.docs;
            this.words -= gone.words;
            this.db.run(
              'DELETE FROM records_fts WHERE docid IN (SELECT id FROM records WHERE session_id = ?)',
              [entry.id],
            );
            this.db.run(
              `INSERT OR IGNORE INTO purge_queue(seg, pos, len, session_id)
               SELECT seg, pos, len, session_id FROM records WHERE session_id = ?1
               UNION ALL SELECT seg, pos, len, session_id FROM session_entries WHERE session_id = ?1`,
              [entry.id],
            );
            this.db.run('DELETE FROM session_entries WHERE session_id = ?', [entry.id]);
            this.db.run('DELETE FROM records WHERE session_id = ?', [entry.id]);
            this.db.run('DELETE FROM sessions WHERE id = ?', [entry.id]);
            this.db.run('INSERT OR IGNORE INTO deleted_sessions(id) VALUES (?)', [entry.id]);
            break;
          }
        }
        ends.set(seg, Math.max(ends.get(seg) ?? 0, position.pos + position.len));
      }
      if (segmentEnd) {
        const seg = this.segmentId(segmentEnd.segment);
        ends.set(seg, Math.max(ends.get(seg) ?? 0, segmentEnd.end));
      }
      for (const [seg, end] of ends) this.stmt.segmentTo.run([end, seg]);
      this.db.exec('COMMIT');
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
  }

  /** Journal lines of deleted sessions not blanked out yet. */
  purgeQueue(limit = 500): { sessionId: string; position: JournalPosition }[] {
    return rows<{ seg: number; pos: number; len: number; session_id: string }>(
      this.db,
      'SELECT seg, pos, len, session_id FROM purge_queue ORDER BY seg, pos LIMIT ?',
      [limit],
    ).map((r) => ({
      sessionId: r.session_id,
      position: { segment: this.segmentNames.get(r.seg)!, pos: r.pos, len: r.len },
    }));
  }

  /** The line at `position` is blanked out (or no longer holds that session's data). */
  purged(position: JournalPosition): void {
    const seg = this.segmentIds.get(position.segment);
    if (seg !== undefined)
      this.db.run('DELETE FROM purge_queue WHERE seg = ? AND pos = ?', [seg, position.pos]);
  }

  getSession(id: string): SessionMeta | undefined {
    const row = this.sessionRow(id);
    return row && toMeta(row);
  }

  listSessions(q: ListSessionsQuery): SessionPage {
    const limit = clampLimit(q.limit, 50, 500);
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (q.cwd !== undefined) {
      where.push('cwd = ?');
      params.push(q.cwd);
    }
    if (q.nonEmpty) where.push('record_count > 0');
    if (q.latestOnly) where.push('NOT EXISTS (SELECT 1 FROM sessions c WHERE c.parent_id = sessions.id)');
    if (q.cursor) {
      const c = decodeCursor(q.cursor);
      where.push('(updated_at < ? OR (updated_at = ? AND id < ?))');
      params.push(c.updatedAt, c.updatedAt, c.id);
    }
    const found = rows<SessionRow>(
      this.db,
      `SELECT * FROM sessions ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
       ORDER BY updated_at DESC, id DESC LIMIT ?`,
      [...params, limit + 1],
    );
    const sessions = found.slice(0, limit).map(toMeta);
    const last = sessions[sessions.length - 1];
    return { sessions, nextCursor: found.length > limit && last ? encodeCursor(last) : undefined };
  }

  /** Sessions that continue `id` after a compaction, newest first. */
  children(id: string): SessionMeta[] {
    return rows<SessionRow>(
      this.db,
      'SELECT * FROM sessions WHERE parent_id = ? ORDER BY created_at DESC, id DESC',
      [id],
    ).map(toMeta);
  }

  /** Positions of a session's records with `from <= ord < to`, in order. */
  records(sessionId: string, from = 0, to = Number.MAX_SAFE_INTEGER): IndexedRecord[] {
    return rows<{ ord: number; at: number; seg: number; pos: number; len: number }>(
      this.db,
      'SELECT ord, at, seg, pos, len FROM records WHERE session_id = ? AND ord >= ? AND ord < ? ORDER BY ord',
      [sessionId, from, to],
    ).map((r) => ({
      ord: r.ord,
      at: r.at,
      position: { segment: this.segmentNames.get(r.seg)!, pos: r.pos, len: r.len },
    }));
  }

  /** Ranked hits: rows matching every term first, then rows matching any term. */
  search(q: SearchQuery): SearchHit[] {
    const limit = clampLimit(q.limit, 20, 200);
    const expr = toMatchExpressions(q.query);
    if (!expr) return [];
    const hits = this.rankedMatches(expr.all, q, limit);
    if (hits.length < limit && expr.any) {
      const seen = new Set(hits.map((h) => h.id));
      for (const h of this.rankedMatches(expr.any, q, limit)) {
        if (hits.length >= limit) break;
        if (!seen.has(h.id)) hits.push(h);
      }
    }
    if (!hits.length) return [];
    const snippets = new Map<number, string>();
    for (const expression of new Set(hits.map((h) => h.expression))) {
      const ids = hits.filter((h) => h.expression === expression).map((h) => h.id);
      for (const r of rows<{ id: number; snippet: string }>(
        this.db,
        `SELECT docid AS id, snippet(records_fts, '[', ']', '…', -1, 24) AS snippet FROM records_fts
         WHERE records_fts MATCH ? AND docid IN (${ids.map(() => '?').join(',')})`,
        [expression, ...ids],
      )) {
        snippets.set(r.id, r.snippet);
      }
    }
    return hits.map((h) => ({
      sessionId: h.session_id,
      sessionTitle: h.title ?? undefined,
      cwd: h.cwd,
      ord: h.ord,
      role: h.role as SearchRole,
      at: h.at,
      snippet: snippets.get(h.id) ?? '',
      score: h.score,
    }));
  }

  export(): Uint8Array {
    return this.db.export();
  }

  close(): void {
    for (const s of Object.values(this.stmt)) s.free();
    this.db.close();
  }

  private rankedMatches(expression: string, q: SearchQuery, limit: number) {
    const where = ['records_fts MATCH ?'];
    const params: SqlValue[] = [expression];
    if (q.sessionId !== undefined) (where.push('r.session_id = ?'), params.push(q.sessionId));
    if (q.cwd !== undefined) (where.push('s.cwd = ?'), params.push(q.cwd));
    if (q.role !== undefined) (where.push('r.role = ?'), params.push(q.role));
    if (q.since !== undefined) (where.push('r.at >= ?'), params.push(q.since));
    if (q.until !== undefined) (where.push('r.at < ?'), params.push(q.until));
    const avgWords = this.docs ? this.words / this.docs : 1;
    // Ranks the newest CANDIDATES matches only: FTS4 walks docids newest first and stops, so a
    // word found in half of all messages costs a bounded amount instead of a full scan.
    return rows<{
      id: number;
      session_id: string;
      ord: number;
      role: string;
      at: number;
      title: string | null;
      cwd: string;
      score: number;
    }>(
      this.db,
      `SELECT * FROM (
         SELECT r.id, r.session_id, r.ord, r.role, r.at, s.title, s.cwd,
                bm25(matchinfo(records_fts, 'pcx'), r.words, ?, ?) AS score
         FROM records_fts JOIN records r ON r.id = records_fts.docid JOIN sessions s ON s.id = r.session_id
         WHERE ${where.join(' AND ')} ORDER BY records_fts.docid DESC LIMIT ${CANDIDATES})
       ORDER BY score DESC, id DESC LIMIT ?`,
      [Math.max(this.docs, 1), avgWords, ...params, limit],
    ).map((h) => ({ ...h, expression }));
  }

  private applyRecord(
    sessionId: string,
    record: HistoryRecord,
    at: number,
    seg: number,
    position: JournalPosition,
  ): void {
    let session = this.sessionRow(sessionId);
    if (!session) {
      if (this.isDeleted(sessionId)) return this.queuePurge(sessionId, seg, position);
      // The session's creation is in a segment not read yet: keep the record under a stub.
      this.stmt.insertSession.run([sessionId, '', null, null, null, at, at]);
      session = this.sessionRow(sessionId)!;
    }
    const searchable = searchableText(record);
    const words = searchable?.text ? countWords(searchable.text) : 0;
    this.stmt.insertRecord.run([
      sessionId,
      session.record_count,
      recordRole(record),
      at,
      seg,
      position.pos,
      position.len,
      searchable?.text ?? null,
      words,
    ]);
    if (searchable?.text) {
      this.docs += 1;
      this.words += words;
      const last = this.stmt.lastId;
      last.step();
      const id = last.get()[0] as number;
      last.reset();
      this.stmt.insertFts.run([id, searchable.text]);
    }
    this.stmt.touchSession.run([at, sessionId]);
  }

  private addSessionEntry(sessionId: string, seg: number, position: JournalPosition): void {
    this.db.run('INSERT INTO session_entries(session_id, seg, pos, len) VALUES (?, ?, ?, ?)', [
      sessionId,
      seg,
      position.pos,
      position.len,
    ]);
  }

  private queuePurge(sessionId: string, seg: number, position: JournalPosition): void {
    this.db.run('INSERT OR IGNORE INTO purge_queue(seg, pos, len, session_id) VALUES (?, ?, ?, ?)', [
      seg,
      position.pos,
      position.len,
      sessionId,
    ]);
  }

  private sessionRow(id: string): SessionRow | undefined {
    const s = this.stmt.session;
    try {
      s.bind([id]);
      return s.step() ? (s.getAsObject() as unknown as SessionRow) : undefined;
    } finally {
      s.reset();
    }
  }

  private isDeleted(id: string): boolean {
    const s = this.stmt.isDeleted;
    try {
      s.bind([id]);
      return s.step();
    } finally {
      s.reset();
    }
  }

  private segmentId(name: string): number {
    let id = this.segmentIds.get(name);
    if (id === undefined) {
      this.db.run('INSERT INTO segments(name, indexed_to) VALUES (?, 0)', [name]);
      id = rows<{ id: number }>(this.db, 'SELECT id FROM segments WHERE name = ?', [name])[0]!.id;
      this.segmentIds.set(name, id);
      this.segmentNames.set(id, name);
    }
    return id;
  }
}
