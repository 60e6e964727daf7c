import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { SqlJsStatic } from 'sql.js';
import { countWords, clampLimit, toMeta } from './index-rows.js';
import { IndexCatalog } from './index-catalog.js';
import { children, listSessions } from './catalog-queries.js';
import {
  IndexShard,
  type ShardFilter,
  type ShardMatch,
  type ShardRecord,
  CANDIDATES,
  ANY_CANDIDATES,
} from './index-shard.js';
import { ShardFiles } from './shard-files.js';
import type { JournalEntry, JournalPosition, PositionedEntry } from './journal-entry.js';
import { recordRole, searchableText } from './record-text.js';
import { toMatchExpressions } from './search-query.js';
import { snippetOf, termsOf } from './snippet.js';
import type {
  HistoryRecord,
  ListSessionsQuery,
  SearchHit,
  SearchOutcome,
  SearchQuery,
  SearchRole,
  SessionMeta,
  SessionPage,
} from './types.js';

export type { SearchOutcome } from './types.js';

/** Records per shard: ~12 MB of text, a ~7 MB contentless index once sealed and optimized. */
export const DEFAULT_SHARD_RECORDS = 20_000;
/** Past this, a search stops opening older shards once it has hits (the note says how far back it looked). */
const SEARCH_BUDGET_MS = 25;

export interface IndexedRecord {
  ord: number;
  at: number;
  position: JournalPosition;
}

export interface IndexOptions {
  shardRecords?: number;
  /** File bytes of sealed shards kept open between queries (see DEFAULT_OPEN_SHARD_BYTES). */
  openShardBytes?: number;
}

/**
 * The history index over the journal: a small catalog (sessions, read marks) always loaded,
 * and the records in time shards, each a contentless FTS4 database. The newest shard lives in
 * memory; sealed shards are files opened when a query first needs them and kept open, least
 * recently used closed first, within a budget of file bytes (ShardFiles), so memory grows with
 * what is searched, not with what is kept. Message text is never stored: snippets come from
 * the journal by position.
 */
export class HistoryIndex {
  private live: { id: number; shard: IndexShard };
  /** Sealed shards not yet written (and, in memory, every sealed shard). */
  private readonly unsaved = new Map<number, IndexShard>();
  private readonly shardRecords: number;
  private liveRecords: number;

  private constructor(
    private readonly sql: SqlJsStatic,
    readonly catalog: IndexCatalog,
    live: { id: number; shard: IndexShard },
    private readonly files: ShardFiles | undefined,
    options: IndexOptions,
  ) {
    this.live = live;
    this.shardRecords = options.shardRecords ?? DEFAULT_SHARD_RECORDS;
    this.liveRecords = catalog.shards().find((s) => s.id === live.id)?.records ?? 0;
  }

  /** Opens the index saved in `dir` (or a fresh one); `fromSnapshot` is false when it starts empty. */
  static async open(
    sql: SqlJsStatic,
    dir: string | undefined,
    options: IndexOptions = {},
  ): Promise<{ index: HistoryIndex; fromSnapshot: boolean }> {
    const files = dir ? new ShardFiles(path.join(dir, 'index'), options.openShardBytes) : undefined;
    if (files) {
      const saved = await files.readCatalog();
      if (saved) {
        const { catalog, fromSnapshot } = IndexCatalog.open(sql, saved);
        const liveRow = fromSnapshot ? catalog.shards().find((s) => !s.sealed) : undefined;
        const bytes = liveRow && (await files.readShard(liveRow.id, liveRow.gen).catch(() => undefined));
        if (liveRow && bytes) {
          try {
            const shard = IndexShard.open(sql, bytes);
            await files.removeUnreferenced(catalog.shards());
            return {
              index: new HistoryIndex(sql, catalog, { id: liveRow.id, shard }, files, options),
              fromSnapshot: true,
            };
          } catch (err) {
            process.stderr.write(`cairn: history shard unreadable (${(err as Error).message}); rebuilding\n`);
          }
        } else if (fromSnapshot) {
          process.stderr.write('cairn: history index is missing a shard; rebuilding it from the journal\n');
        }
        catalog.close();
      }
    }
    const { catalog } = IndexCatalog.open(sql);
    const id = catalog.addShard(newGen());
    const index = new HistoryIndex(sql, catalog, { id, shard: IndexShard.create(sql) }, files, options);
    return { index, fromSnapshot: false };
  }

  indexedTo(segment: string): number {
    return this.catalog.indexedTo(segment);
  }

  /** Applies durable journal entries in one transaction, and moves the segments' read marks. */
  apply(batch: PositionedEntry[], segmentEnd?: { segment: string; end: number }): void {
    if (!batch.length && !segmentEnd) return;
    const c = this.catalog;
    c.begin();
    this.live.shard.begin();
    const ends = new Map<number, number>();
    try {
      for (const { entry, position } of batch) {
        const seg = c.segmentId(position.segment);
        this.applyEntry(entry, seg, position);
        ends.set(seg, Math.max(ends.get(seg) ?? 0, position.pos + position.len));
      }
      if (segmentEnd) {
        const seg = c.segmentId(segmentEnd.segment);
        ends.set(seg, Math.max(ends.get(seg) ?? 0, segmentEnd.end));
      }
      for (const [seg, end] of ends) c.moveMark(seg, end);
      this.live.shard.commit();
      c.commit();
    } catch (err) {
      this.live.shard.rollback();
      c.rollback();
      throw err;
    }
  }

  private applyEntry(entry: JournalEntry, seg: number, position: JournalPosition): void {
    const c = this.catalog;
    switch (entry.op) {
      case 'session':
        if (c.isDeleted(entry.session.id)) return c.queuePurge(entry.session.id, seg, position);
        c.addSessionEntry(entry.session.id, seg, position);
        c.insertSession(entry.session);
        return;
      case 'update': {
        const row = c.sessionRow(entry.id);
        if (!row) {
          if (c.isDeleted(entry.id)) c.queuePurge(entry.id, seg, position);
          return;
        }
        c.addSessionEntry(entry.id, seg, position);
        c.updateSession(entry.id, row, entry.patch);
        return;
      }
      case 'record':
        return this.applyRecord(entry.sessionId, entry.record, entry.record.at, seg, position);
      case 'delete':
        return this.applyDelete(entry.id);
    }
  }

  private applyRecord(
    sessionId: string,
    record: HistoryRecord,
    at: number,
    seg: number,
    position: JournalPosition,
  ): void {
    const c = this.catalog;
    let session = c.sessionRow(sessionId);
    if (!session) {
      if (c.isDeleted(sessionId)) return c.queuePurge(sessionId, seg, position);
      c.insertStub(sessionId, at);
      session = c.sessionRow(sessionId)!;
    }
    const searchable = searchableText(record);
    const text = searchable?.text || undefined;
    const words = text ? countWords(text) : 0;
    const row: ShardRecord = {
      sessionId,
      ord: session.record_count,
      role: recordRole(record),
      at,
      seg,
      pos: position.pos,
      len: position.len,
    };
    if (!this.live.shard.add(row, text, words)) return;
    if (words) {
      c.docs += 1;
      c.words += words;
    }
    c.noteShardRecord(this.live.id, sessionId, at);
    c.touchSession(sessionId, at, text ? Buffer.byteLength(text) : 0);
    if (++this.liveRecords >= this.shardRecords) this.seal();
  }

  private applyDelete(id: string): void {
    const c = this.catalog;
    for (const shardId of c.deleteSession(id)) {
      // Journal lines go to the purge queue once the shard's records of the session are read.
      const inMemory = shardId === this.live.id ? this.live.shard : this.unsaved.get(shardId);
      if (inMemory) this.dropFromShard(inMemory, id);
      else c.queueShardDelete(shardId, id);
    }
  }

  private dropFromShard(shard: IndexShard, sessionId: string): void {
    const c = this.catalog;
    for (const r of shard.records(sessionId, 0, Number.MAX_SAFE_INTEGER)) {
      c.queuePurge(sessionId, r.seg, { segment: c.segmentName(r.seg), pos: r.pos, len: r.len });
    }
    shard.removeSession(sessionId);
  }

  /** The live shard is full: it is kept until written, and a new one takes its place. */
  private seal(): void {
    const full = this.live.shard;
    full.commit();
    full.optimize();
    this.unsaved.set(this.live.id, full);
    const id = this.catalog.addShard(newGen());
    this.live = { id, shard: IndexShard.create(this.sql) };
    this.live.shard.begin();
    this.liveRecords = 0;
  }

  /** Removes deleted sessions' records from sealed shard files (queued by `apply`). */
  async purgeShards(): Promise<boolean> {
    let changed = false;
    for (let queue = this.catalog.shardDeletes(); queue.length; queue = this.catalog.shardDeletes()) {
      for (const { shardId, sessionId } of queue) {
        await this.withShard(shardId, async (shard) => {
          this.dropFromShard(shard, sessionId);
          if (this.files && !this.unsaved.has(shardId) && shardId !== this.live.id) {
            const gen = newGen();
            const before = this.catalog.shards().find((s) => s.id === shardId)?.gen;
            await this.files.writeShard(shardId, gen, shard.export());
            this.catalog.setShardGen(shardId, gen, true);
            if (before) this.files.renamed(shardId, before, gen);
          }
        });
        this.catalog.shardDeleteDone(shardId, sessionId);
        changed = true;
      }
    }
    return changed;
  }

  purgeQueue(limit = 500): { sessionId: string; position: JournalPosition }[] {
    return this.catalog.purgeQueue(limit);
  }

  purged(position: JournalPosition): void {
    this.catalog.purged(position);
  }

  getSession(id: string): SessionMeta | undefined {
    const row = this.catalog.sessionRow(id);
    return row && toMeta(row);
  }

  listSessions(q: ListSessionsQuery): SessionPage {
    return listSessions(this.catalog.db, q);
  }

  children(id: string): SessionMeta[] {
    return children(this.catalog.db, id);
  }

  /** Positions of a session's records with `from <= ord < to`, in order. */
  async records(sessionId: string, from = 0, to = Number.MAX_SAFE_INTEGER): Promise<IndexedRecord[]> {
    const out: ShardRecord[] = [];
    for (const shardId of this.catalog.sessionShards(sessionId)) {
      await this.withShard(shardId, (shard) => void out.push(...shard.records(sessionId, from, to)));
    }
    return out
      .sort((a, b) => a.ord - b.ord)
      .map((r) => ({ ord: r.ord, at: r.at, position: this.positionOf(r) }));
  }

  /**
   * Ranked hits, newest shards first: rows matching every term before rows matching any. Scores
   * favour `preferCwd` and recent messages. Stops opening older shards once it has enough hits
   * matching every term, or has hits and has spent its time budget.
   */
  async search(
    q: SearchQuery & { preferCwd?: string },
    readText: (positions: JournalPosition[]) => Promise<(string | undefined)[]>,
  ): Promise<SearchOutcome> {
    const limit = clampLimit(q.limit, 20, 200);
    const expr = toMatchExpressions(q.query);
    if (!expr) return { hits: [], matched: 0, tooMany: false };
    const sessionOf = (id: string) => this.catalog.sessionInfo(id);
    const filter: ShardFilter = {
      sessionId: q.sessionId,
      role: q.role,
      since: q.since,
      until: q.until,
      sessions: q.cwd !== undefined ? this.catalog.projectSessions(q.cwd) : undefined,
    };
    const pendingDeletes = this.catalog.pendingShardDeletes();
    const scope = q.sessionId !== undefined ? new Set(this.catalog.sessionShards(q.sessionId)) : undefined;
    const shards = this.catalog
      .shards()
      .filter((s) => !scope || scope.has(s.id))
      .filter((s) => s.records > 0)
      .filter((s) => q.since === undefined || (s.last_at ?? 0) >= q.since)
      .filter((s) => q.until === undefined || (s.first_at ?? 0) < q.until)
      .reverse();
    const docs = this.catalog.docs;
    const avgWords = docs ? this.catalog.words / docs : 1;
    const now = Date.now();
    const weigh = (m: ShardMatch) => {
      const row = sessionOf(m.sessionId);
      const project = q.preferCwd !== undefined && row?.cwd === q.preferCwd ? 1.5 : 1;
      // A month-old message weighs ~1.25, a year-old one ~1: recency breaks near-ties.
      const ageDays = Math.max(0, now - m.at) / 86_400_000;
      return m.score * project * (1 + 0.5 * Math.pow(0.5, ageDays / 30));
    };
    const all: ShardMatch[] = [];
    const any: ShardMatch[] = [];
    let matched = 0;
    let anyMatched = 0;
    let tooMany = false;
    let searchedBack: number | undefined;
    const start = performance.now();
    for (let i = 0; i < shards.length; i++) {
      const s = shards[i]!;
      const excluded = pendingDeletes.get(s.id);
      const shardFilter = excluded ? { ...filter, excluded: JSON.stringify(excluded) } : filter;
      await this.withShard(s.id, (shard) => {
        // The newest CANDIDATES matches over all shards are ranked, as in one database.
        const found = shard.match(expr.all, shardFilter, limit, docs, avgWords, CANDIDATES - matched);
        all.push(...found.matches);
        matched += found.matched;
        if (matched >= CANDIDATES) tooMany = true;
        if (expr.any && all.length < limit && anyMatched < ANY_CANDIDATES) {
          const some = shard.match(expr.any, shardFilter, limit, docs, avgWords, ANY_CANDIDATES - anyMatched);
          any.push(...some.matches);
          anyMatched += some.matched;
        }
      });
      const more = i + 1 < shards.length;
      if (!more) break;
      const spent = performance.now() - start;
      if (all.length >= limit || (all.length + any.length >= limit && spent > SEARCH_BUDGET_MS) || tooMany) {
        searchedBack = s.first_at ?? undefined;
        break;
      }
    }
    const ranked = (list: ShardMatch[]) =>
      list.map((m) => ({ m, score: weigh(m) })).sort((a, b) => b.score - a.score || b.m.at - a.m.at);
    const seen = new Set<string>();
    const chosen: { m: ShardMatch; score: number }[] = [];
    for (const h of [...ranked(all), ...ranked(any)]) {
      const key = `${h.m.sessionId}\0${h.m.ord}`;
      // A session gone from the catalog (deleted while the search ran) is left out.
      if (chosen.length >= limit || seen.has(key) || !sessionOf(h.m.sessionId)) continue;
      seen.add(key);
      chosen.push(h);
    }
    const texts = await readText(chosen.map((h) => this.positionOf(h.m)));
    const terms = termsOf(q.query);
    const hits: SearchHit[] = chosen.map(({ m, score }, i) => {
      const row = sessionOf(m.sessionId) ?? { cwd: '', title: null };
      return {
        sessionId: m.sessionId,
        sessionTitle: row.title ?? undefined,
        cwd: row.cwd,
        ord: m.ord,
        role: m.role as SearchRole,
        at: m.at,
        snippet: snippetOf(texts[i] ?? '', terms),
        score,
      };
    });
    return { hits, matched, tooMany, searchedBack };
  }

  /** Writes sealed shards not yet on disk and releases them (the catalog names them at the next save). */
  async saveSealed(): Promise<void> {
    if (!this.files) return;
    for (const [id, shard] of this.unsaved) {
      const gen = newGen();
      await this.files.writeShard(id, gen, shard.export());
      this.catalog.setShardGen(id, gen, true);
      this.unsaved.delete(id);
      shard.close();
    }
  }

  /** Writes sealed shards not yet on disk, the live shard and the catalog (in that order). */
  async save(): Promise<void> {
    if (!this.files) return;
    await this.saveSealed();
    // The live shard and the catalog are captured together: records applied while the files
    // are written must not be marked as read in a catalog whose shard lacks them.
    const gen = newGen();
    const id = this.live.id;
    const shardBytes = this.live.shard.export();
    this.catalog.setShardGen(id, gen);
    const catalogBytes = this.catalog.export();
    await this.files.writeShard(id, gen, shardBytes);
    await this.files.writeCatalog(catalogBytes);
    await this.files.removeUnreferenced(this.catalog.shards(), { ownOnly: true });
  }

  /** Size of the index files on disk. */
  async diskBytes(): Promise<number> {
    return this.files ? this.files.bytes() : 0;
  }

  close(): void {
    this.files?.closeCached();
    for (const shard of this.unsaved.values()) shard.close();
    this.unsaved.clear();
    this.live.shard.close();
    this.catalog.close();
  }

  private positionOf(r: ShardRecord): JournalPosition {
    return { segment: this.catalog.segmentName(r.seg), pos: r.pos, len: r.len };
  }

  /** Runs `use` on a shard: in memory, or opened from its file (kept briefly for the next query). */
  private async withShard(id: number, use: (shard: IndexShard) => void | Promise<void>): Promise<void> {
    const inMemory = id === this.live.id ? this.live.shard : this.unsaved.get(id);
    if (inMemory) return use(inMemory);
    const row = this.catalog.shards().find((s) => s.id === id);
    if (!row || !this.files) return;
    await this.files.withShard(this.sql, id, row.gen, use);
  }
}

function newGen(): string {
  return randomBytes(4).toString('hex');
}
