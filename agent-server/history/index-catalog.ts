import type { Database, SqlJsStatic, Statement } from 'sql.js';
import { rows, type SessionRow } from './index-rows.js';
import type { JournalPosition } from './journal-entry.js';
import type { NewSession, SessionPatch } from './types.js';

import { CATALOG_SCHEMA, SCHEMA_VERSION } from './catalog-schema.js';

export interface ShardRow {
  id: number;
  gen: string;
  sealed: number;
  records: number;
  first_at: number | null;
  last_at: number | null;
}

/**
 * The small, always-loaded part of the history index: sessions, how far each journal segment
 * is indexed, deletions to carry out, and the list of record shards. It grows with the number
 * of sessions, not of messages.
 */
export class IndexCatalog {
  private readonly segmentIds = new Map<string, number>();
  private readonly segmentNames = new Map<number, string>();
  private readonly sessionStmt: Statement;
  private readonly deletedStmt: Statement;
  private readonly touchStmt: Statement;
  private readonly shardRecordStmt: Statement;
  private readonly sessionShardStmt: Statement;
  /** Sessions given records in the batch being applied (see touchSession). */
  private readonly touches = new Map<
    string,
    { row: SessionRow; records: number; at: number; textBytes: number }
  >();
  /** Records added to shards in the batch being applied (see noteShardRecord). */
  private readonly shardNotes = new Map<
    number,
    { records: number; first: number; last: number; sessions: Set<string> }
  >();
  /** What search needs of each session (asked for every match): cleared where a session changes. */
  private readonly infoCache = new Map<string, { cwd: string; title: string | null } | null>();
  /** Sessions per project (see projectSessions): cleared when sessions come or go. */
  private readonly projectCache = new Map<string, string>();
  docs = 0;
  words = 0;

  private constructor(readonly db: Database) {
    db.exec(
      'PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF; PRAGMA temp_store = MEMORY; PRAGMA secure_delete = ON',
    );
    for (const { id, name } of rows<{ id: number; name: string }>(db, 'SELECT id, name FROM segments')) {
      this.segmentIds.set(name, id);
      this.segmentNames.set(id, name);
    }
    this.docs = Number(this.meta('docs') ?? 0);
    this.words = Number(this.meta('words') ?? 0);
    this.sessionStmt = db.prepare('SELECT * FROM sessions WHERE id = ?');
    this.deletedStmt = db.prepare('SELECT 1 FROM deleted_sessions WHERE id = ?');
    this.touchStmt = db.prepare(
      'UPDATE sessions SET record_count = record_count + ?, updated_at = max(updated_at, ?), text_bytes = text_bytes + ? WHERE id = ?',
    );
    this.shardRecordStmt = db.prepare(
      'UPDATE shards SET records = records + ?1, first_at = min(coalesce(first_at, ?2), ?2), last_at = max(coalesce(last_at, ?3), ?3) WHERE id = ?4',
    );
    this.sessionShardStmt = db.prepare(
      'INSERT OR IGNORE INTO session_shards(session_id, shard_id) VALUES (?, ?)',
    );
  }

  /** Opens a snapshot, or starts empty when there is none or it cannot be used. */
  static open(sql: SqlJsStatic, snapshot?: Uint8Array): { catalog: IndexCatalog; fromSnapshot: boolean } {
    if (snapshot) {
      let db: Database | undefined;
      try {
        db = new sql.Database(snapshot);
        const version = rows<{ value: string }>(db, "SELECT value FROM meta WHERE key = 'schema'")[0]?.value;
        if (version === SCHEMA_VERSION) return { catalog: new IndexCatalog(db), fromSnapshot: true };
        process.stderr.write(`cairn: history index has schema ${version}; rebuilding it from the journal\n`);
      } catch (err) {
        process.stderr.write(`cairn: history index unreadable (${(err as Error).message}); rebuilding it\n`);
      }
      db?.close();
    }
    const db = new sql.Database();
    db.exec(CATALOG_SCHEMA);
    db.run("INSERT INTO meta(key, value) VALUES ('schema', ?)", [SCHEMA_VERSION]);
    return { catalog: new IndexCatalog(db), fromSnapshot: false };
  }

  meta(key: string): string | undefined {
    return rows<{ value: string }>(this.db, 'SELECT value FROM meta WHERE key = ?', [key])[0]?.value;
  }

  setMeta(key: string, value: string): void {
    this.db.run('INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)', [key, value]);
  }

  begin(): void {
    this.db.exec('BEGIN');
  }

  commit(): void {
    this.flushShardNotes();
    this.flushTouches();
    this.setMeta('docs', String(this.docs));
    this.setMeta('words', String(this.words));
    this.db.exec('COMMIT');
  }

  rollback(): void {
    this.infoCache.clear();
    this.shardNotes.clear();
    this.touches.clear();
    this.projectCache.clear();
    this.db.exec('ROLLBACK');
  }

  indexedTo(segment: string): number {
    const id = this.segmentIds.get(segment);
    if (id === undefined) return 0;
    return rows<{ n: number }>(this.db, 'SELECT indexed_to AS n FROM segments WHERE id = ?', [id])[0]?.n ?? 0;
  }

  moveMark(seg: number, end: number): void {
    this.db.run('UPDATE segments SET indexed_to = max(indexed_to, ?) WHERE id = ?', [end, seg]);
  }

  segmentId(name: string): number {
    let id = this.segmentIds.get(name);
    if (id === undefined) {
      this.db.run('INSERT INTO segments(name, indexed_to) VALUES (?, 0)', [name]);
      id = rows<{ id: number }>(this.db, 'SELECT id FROM segments WHERE name = ?', [name])[0]!.id;
      this.segmentIds.set(name, id);
      this.segmentNames.set(id, name);
    }
    return id;
  }

  segmentName(id: number): string {
    return this.segmentNames.get(id)!;
  }

  sessionRow(id: string): SessionRow | undefined {
    const touched = this.touches.get(id);
    if (touched) return { ...touched.row };
    const s = this.sessionStmt;
    try {
      s.bind([id]);
      return s.step() ? (s.getAsObject() as unknown as SessionRow) : undefined;
    } finally {
      s.reset();
    }
  }

  /** The ids of a project's sessions as a JSON array (for a search's filter). */
  projectSessions(cwd: string): string {
    let ids = this.projectCache.get(cwd);
    if (ids === undefined) {
      ids = JSON.stringify(
        rows<{ id: string }>(this.db, 'SELECT id FROM sessions WHERE cwd = ?', [cwd]).map((r) => r.id),
      );
      this.projectCache.set(cwd, ids);
    }
    return ids;
  }

  /** Deleted sessions whose records are still in sealed shards, by shard. */
  pendingShardDeletes(): Map<number, string[]> {
    const out = new Map<number, string[]>();
    for (const r of rows<{ shard_id: number; session_id: string }>(
      this.db,
      'SELECT shard_id, session_id FROM shard_deletes',
    )) {
      out.set(r.shard_id, [...(out.get(r.shard_id) ?? []), r.session_id]);
    }
    return out;
  }

  /** A session's project and title, undefined when there is no such session. */
  sessionInfo(id: string): { cwd: string; title: string | null } | undefined {
    let info = this.infoCache.get(id);
    if (info === undefined) {
      const row = this.sessionRow(id);
      info = row ? { cwd: row.cwd, title: row.title } : null;
      this.infoCache.set(id, info);
    }
    return info ?? undefined;
  }

  isDeleted(id: string): boolean {
    const s = this.deletedStmt;
    try {
      s.bind([id]);
      return s.step();
    } finally {
      s.reset();
    }
  }

  insertSession(s: NewSession & { createdAt: number }): void {
    this.infoCache.delete(s.id);
    this.projectCache.clear();
    this.db.run(
      'INSERT OR IGNORE INTO sessions(id, cwd, title, model, parent_id, origin, origin_kind, origin_session, settings, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)',
      [
        s.id,
        s.cwd,
        s.title ?? null,
        s.model ?? null,
        s.parentId ?? null,
        s.origin ? JSON.stringify(s.origin) : null,
        s.origin?.kind ?? null,
        s.origin && 'sessionId' in s.origin ? s.origin.sessionId : null,
        s.settings ? JSON.stringify(s.settings) : null,
        s.createdAt,
        s.createdAt,
      ],
    );
  }

  /** A session whose creation is in a segment not read yet: its records go under a stub. */
  insertStub(id: string, at: number): void {
    this.infoCache.delete(id);
    this.projectCache.clear();
    this.db.run('INSERT OR IGNORE INTO sessions(id, cwd, created_at, updated_at) VALUES (?, ?, ?, ?)', [
      id,
      '',
      at,
      at,
    ]);
  }

  updateSession(id: string, row: SessionRow, p: SessionPatch): void {
    this.infoCache.delete(id);
    const touched = this.touches.get(id)?.row;
    if (touched) {
      if (p.title !== undefined) touched.title = p.title;
      if (p.model !== undefined) touched.model = p.model;
      if (p.parentId !== undefined) touched.parent_id = p.parentId;
      if (p.settings !== undefined) touched.settings = JSON.stringify(p.settings);
    }
    // Not activity: a title set after the first exchange must not reorder the list.
    this.db.run('UPDATE sessions SET title = ?, model = ?, parent_id = ?, settings = ? WHERE id = ?', [
      p.title !== undefined ? p.title : row.title,
      p.model !== undefined ? p.model : row.model,
      p.parentId !== undefined ? p.parentId : row.parent_id,
      p.settings !== undefined ? JSON.stringify(p.settings) : row.settings,
      id,
    ]);
  }

  /**
   * A record added to a session: counted in memory and written once per batch (a rebuild adds
   * thousands of records to a session in one batch), and seen by `sessionRow` meanwhile.
   */
  touchSession(id: string, at: number, textBytes: number): void {
    let t = this.touches.get(id);
    if (!t) {
      const row = this.sessionRow(id);
      if (!row) return;
      t = { row, records: 0, at, textBytes: 0 };
      this.touches.set(id, t);
    }
    t.row.record_count++;
    t.row.updated_at = Math.max(t.row.updated_at, at);
    t.records++;
    t.at = Math.max(t.at, at);
    t.textBytes += textBytes;
  }

  private flushTouches(): void {
    for (const [id, t] of this.touches) this.touchStmt.run([t.records, t.at, t.textBytes, id]);
    this.touches.clear();
  }

  addSessionEntry(sessionId: string, seg: number, position: JournalPosition): void {
    this.db.run('INSERT INTO session_entries(session_id, seg, pos, len) VALUES (?, ?, ?, ?)', [
      sessionId,
      seg,
      position.pos,
      position.len,
    ]);
  }

  queuePurge(sessionId: string, seg: number, position: JournalPosition): void {
    this.db.run('INSERT OR IGNORE INTO purge_queue(seg, pos, len, session_id) VALUES (?, ?, ?, ?)', [
      seg,
      position.pos,
      position.len,
      sessionId,
    ]);
  }

  /** Forgets a session; returns the shards that hold its records. */
  deleteSession(id: string): number[] {
    this.touches.delete(id);
    this.projectCache.clear();
    this.flushShardNotes();
    this.infoCache.delete(id);
    const shards = rows<{ shard_id: number }>(
      this.db,
      'SELECT shard_id FROM session_shards WHERE session_id = ? ORDER BY shard_id',
      [id],
    ).map((r) => r.shard_id);
    this.db.run(
      `INSERT OR IGNORE INTO purge_queue(seg, pos, len, session_id)
       SELECT seg, pos, len, session_id FROM session_entries WHERE session_id = ?`,
      [id],
    );
    this.db.run('DELETE FROM session_entries WHERE session_id = ?', [id]);
    this.db.run('DELETE FROM session_shards WHERE session_id = ?', [id]);
    this.db.run('DELETE FROM sessions WHERE id = ?', [id]);
    this.db.run('INSERT OR IGNORE INTO deleted_sessions(id) VALUES (?)', [id]);
    return shards;
  }

  queueShardDelete(shardId: number, sessionId: string): void {
    this.db.run('INSERT OR IGNORE INTO shard_deletes(shard_id, session_id) VALUES (?, ?)', [
      shardId,
      sessionId,
    ]);
  }

  shardDeletes(): { shardId: number; sessionId: string }[] {
    return rows<{ shard_id: number; session_id: string }>(
      this.db,
      'SELECT shard_id, session_id FROM shard_deletes ORDER BY shard_id LIMIT 100',
    ).map((r) => ({ shardId: r.shard_id, sessionId: r.session_id }));
  }

  shardDeleteDone(shardId: number, sessionId: string): void {
    this.db.run('DELETE FROM shard_deletes WHERE shard_id = ? AND session_id = ?', [shardId, sessionId]);
  }

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

  purged(position: JournalPosition): void {
    const seg = this.segmentIds.get(position.segment);
    if (seg !== undefined)
      this.db.run('DELETE FROM purge_queue WHERE seg = ? AND pos = ?', [seg, position.pos]);
  }

  shards(): ShardRow[] {
    this.flushShardNotes();
    return rows<ShardRow>(this.db, 'SELECT * FROM shards ORDER BY id');
  }

  addShard(gen: string): number {
    this.db.run('INSERT INTO shards(gen) VALUES (?)', [gen]);
    return rows<{ id: number }>(this.db, 'SELECT max(id) AS id FROM shards')[0]!.id;
  }

  setShardGen(id: number, gen: string, sealed?: boolean): void {
    this.db.run('UPDATE shards SET gen = ?, sealed = max(sealed, ?) WHERE id = ?', [gen, sealed ? 1 : 0, id]);
  }

  /** Counted in memory and written once per batch: three statements per record made rebuilds slow. */
  noteShardRecord(shardId: number, sessionId: string, at: number): void {
    const n = this.shardNotes.get(shardId);
    if (n) {
      n.records++;
      n.first = Math.min(n.first, at);
      n.last = Math.max(n.last, at);
      n.sessions.add(sessionId);
    } else {
      this.shardNotes.set(shardId, { records: 1, first: at, last: at, sessions: new Set([sessionId]) });
    }
  }

  private flushShardNotes(): void {
    for (const [shardId, n] of this.shardNotes) {
      this.shardRecordStmt.run([n.records, n.first, n.last, shardId]);
      for (const sessionId of n.sessions) this.sessionShardStmt.run([sessionId, shardId]);
    }
    this.shardNotes.clear();
  }

  sessionShards(sessionId: string): number[] {
    this.flushShardNotes();
    return rows<{ shard_id: number }>(
      this.db,
      'SELECT shard_id FROM session_shards WHERE session_id = ? ORDER BY shard_id',
      [sessionId],
    ).map((r) => r.shard_id);
  }

  export(): Uint8Array {
    return this.db.export();
  }

  close(): void {
    this.sessionStmt.free();
    this.deletedStmt.free();
    this.touchStmt.free();
    this.shardRecordStmt.free();
    this.sessionShardStmt.free();
    this.db.close();
  }
}
