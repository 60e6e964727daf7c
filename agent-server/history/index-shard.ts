import type { Database, SqlJsStatic, SqlValue, Statement } from 'sql.js';
import { rows } from './index-rows.js';
import { bm25 } from './search-query.js';

/**
 * Matches ranked per query (the newest ones, over the shards it visits); beyond this a query
 * "matches too much" and says so. Ranking costs a few microseconds a match (matchinfo, the
 * BM25 callback, the join for the row's length): at 5,000 a common word took 20-30 ms in the
 * newest shard alone, at 1,000 it takes a fifth of that (history bench, 100k messages).
 */
export const CANDIDATES = 1000;
/**
 * Matches of any one term (the fallback when too few match every term) ranked per query: they
 * rank below every all-terms hit, so the newest few hundred are plenty, and ranking them in
 * every shard made multi-word queries with few all-terms hits the slowest topic queries.
 */
export const ANY_CANDIDATES = 500;

const SHARD_SCHEMA = `
CREATE TABLE records(
  id INTEGER PRIMARY KEY, session_id TEXT NOT NULL, ord INTEGER NOT NULL, role TEXT NOT NULL,
  at INTEGER NOT NULL, seg INTEGER NOT NULL, pos INTEGER NOT NULL, len INTEGER NOT NULL,
  words INTEGER NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX records_by_session ON records(session_id, ord);
-- Contentless: the index keeps terms only; message text is read back from the journal by
-- position (for snippets), so a shard is a fraction of the text it covers.
CREATE VIRTUAL TABLE records_fts USING fts4(content="", body, tokenize=porter, matchinfo=fts3);
`;

export interface ShardRecord {
  sessionId: string;
  ord: number;
  role: string;
  at: number;
  seg: number;
  pos: number;
  len: number;
}

export interface ShardMatch extends ShardRecord {
  id: number;
  score: number;
}

export interface ShardFilter {
  sessionId?: string;
  role?: string;
  since?: number;
  until?: number;
  /** Only these sessions (a JSON array of ids: a project's sessions). */
  sessions?: string;
  /** Not these sessions (a JSON array of ids: deleted, their records not yet purged here). */
  excluded?: string;
}

/**
 * One time shard of the history index: the positions of a run of records and a contentless
 * FTS4 index over their text. The newest shard lives in memory and grows; older ones are
 * files opened for a query and closed after it (sql.js holds a database wholly in memory).
 */
export class IndexShard {
  private inBatch = false;
  private readonly searches = new Map<string, Statement>();
  private readonly insertRecord: Statement;
  private readonly insertFts: Statement;
  private readonly lastId: Statement;

  private constructor(private readonly db: Database) {
    db.exec(
      'PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF; PRAGMA temp_store = MEMORY; PRAGMA secure_delete = ON',
    );
    db.create_function('bm25', (info: Uint8Array, words: number, docs: number, avgWords: number) =>
      bm25(info, words, docs, avgWords),
    );
    this.insertRecord = db.prepare(
      'INSERT OR IGNORE INTO records(session_id, ord, role, at, seg, pos, len, words) VALUES (?,?,?,?,?,?,?,?)',
    );
    this.insertFts = db.prepare('INSERT INTO records_fts(docid, body) VALUES (?, ?)');
    this.lastId = db.prepare('SELECT last_insert_rowid()');
  }

  static create(sql: SqlJsStatic): IndexShard {
    const db = new sql.Database();
    db.exec(SHARD_SCHEMA);
    return new IndexShard(db);
  }

  /** Opens a shard file's bytes; throws when they are not a shard. */
  static open(sql: SqlJsStatic, bytes: Uint8Array): IndexShard {
    const db = new sql.Database(bytes);
    try {
      db.exec('SELECT id FROM records LIMIT 0');
      // Its pages are in memory already (sql.js): a small cache avoids holding them twice.
      db.exec('PRAGMA cache_size = -512');
    } catch (err) {
      db.close();
      throw err;
    }
    return new IndexShard(db);
  }

  /**
   * Inserts go in one transaction per applied batch: outside one, every insert is its own
   * commit, and FTS4 writes a new index segment for each (slow to build, slow to query).
   */
  begin(): void {
    this.db.exec('BEGIN');
    this.inBatch = true;
  }

  commit(): void {
    if (!this.inBatch) return;
    this.inBatch = false;
    this.db.exec('COMMIT');
  }

  rollback(): void {
    if (!this.inBatch) return;
    this.inBatch = false;
    this.db.exec('ROLLBACK');
  }

  /**
   * Merges the full-text index into one segment and drops the pages that frees: done once,
   * when the shard is sealed, so the file is smaller and a query reads one doclist per term.
   */
  optimize(): void {
    this.db.exec("INSERT INTO records_fts(records_fts) VALUES('optimize'); VACUUM");
  }

  /** Adds a record; its text (if any) goes to the full-text index. False when already there. */
  add(record: ShardRecord, text: string | undefined, words: number): boolean {
    const r = record;
    this.insertRecord.run([r.sessionId, r.ord, r.role, r.at, r.seg, r.pos, r.len, words]);
    if (this.db.getRowsModified() === 0) return false;
    if (text) {
      this.lastId.step();
      const id = this.lastId.get()[0] as number;
      this.lastId.reset();
      this.insertFts.run([id, text]);
    }
    return true;
  }

  /** Records of a session with `from <= ord < to`, in order. */
  records(sessionId: string, from: number, to: number): ShardRecord[] {
    return rows<{
      session_id: string;
      ord: number;
      role: string;
      at: number;
      seg: number;
      pos: number;
      len: number;
    }>(this.db, 'SELECT * FROM records WHERE session_id = ? AND ord >= ? AND ord < ? ORDER BY ord', [
      sessionId,
      from,
      to,
    ]).map(toRecord);
  }

  /** Every record's position (to rebuild this shard without some sessions). */
  allRecords(): ShardRecord[] {
    return rows<Parameters<typeof toRecord>[0]>(this.db, 'SELECT * FROM records ORDER BY id').map(toRecord);
  }

  /** Drops a deleted session's records (their terms stay in the FTS index until a rebuild). */
  removeSession(sessionId: string): number {
    this.db.run('DELETE FROM records WHERE session_id = ?', [sessionId]);
    return this.db.getRowsModified();
  }

  /**
   * The best `limit` of the newest `candidates` matches by BM25, and how many matched (capped
   * at `candidates`: FTS4 walks docids newest first and stops, so common words cost a bounded
   * amount). A search shares CANDIDATES among the shards it visits, newest first.
   */
  match(
    expression: string,
    filter: ShardFilter,
    limit: number,
    docs: number,
    avgWords: number,
    candidates = CANDIDATES,
  ): { matches: ShardMatch[]; matched: number } {
    const where = ['records_fts MATCH ?'];
    const params: SqlValue[] = [expression];
    if (filter.sessionId !== undefined) (where.push('r.session_id = ?'), params.push(filter.sessionId));
    // Sets checked natively (a JS callback per match was most of a search's time). `+` keeps
    // them filters: the full-text match must drive the query, newest docids first.
    if (filter.sessions !== undefined)
      (where.push('+r.session_id IN (SELECT value FROM json_each(?))'), params.push(filter.sessions));
    if (filter.excluded !== undefined)
      (where.push('+r.session_id NOT IN (SELECT value FROM json_each(?))'), params.push(filter.excluded));
    if (filter.role !== undefined) (where.push('r.role = ?'), params.push(filter.role));
    if (filter.since !== undefined) (where.push('r.at >= ?'), params.push(filter.since));
    if (filter.until !== undefined) (where.push('r.at < ?'), params.push(filter.until));
    const sql = `SELECT *, count(*) OVER () AS matched FROM (
         SELECT r.*, bm25(matchinfo(records_fts, 'pcx'), r.words, ?, ?) AS score
         FROM records_fts JOIN records r ON r.id = records_fts.docid
         WHERE ${where.join(' AND ')} ORDER BY records_fts.docid DESC LIMIT ?)
       ORDER BY score DESC, id DESC LIMIT ?`;
    // A handful of shapes (by filter), each prepared once per open shard.
    let stmt = this.searches.get(sql);
    if (!stmt) this.searches.set(sql, (stmt = this.db.prepare(sql)));
    const found: (ShardMatch & { matched: number })[] = [];
    try {
      stmt.bind([Math.max(docs, 1), avgWords || 1, ...params, Math.max(1, Math.floor(candidates)), limit]);
      while (stmt.step()) {
        const r = stmt.getAsObject() as unknown as RecordRow & { id: number; score: number; matched: number };
        found.push({ ...toRecord(r), id: r.id, score: r.score, matched: r.matched });
      }
    } finally {
      stmt.reset();
    }
    return { matched: found[0]?.matched ?? 0, matches: found };
  }

  export(): Uint8Array {
    return this.db.export();
  }

  close(): void {
    for (const stmt of this.searches.values()) stmt.free();
    this.insertRecord.free();
    this.insertFts.free();
    this.lastId.free();
    this.db.close();
  }
}

/** A `records` row as SQLite returns it. */
interface RecordRow {
  session_id: string;
  ord: number;
  role: string;
  at: number;
  seg: number;
  pos: number;
  len: number;
}

function toRecord(r: RecordRow): ShardRecord {
  return { sessionId: r.session_id, ord: r.ord, role: r.role, at: r.at, seg: r.seg, pos: r.pos, len: r.len };
}
