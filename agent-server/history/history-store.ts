import * as path from 'node:path';
import { stat } from 'node:fs/promises';
import type { HistoryIndex, SearchOutcome } from './history-index.js';
import type { JournalEntry, JournalPosition, PositionedEntry } from './journal-entry.js';
import { diskJournal, memoryJournal, type JournalBackend } from './journal-backend.js';
import { folderBytes, removeAbandonedSnapshots, writerAlive } from './history-files.js';
import { listSegments, readSegment } from './segment-reader.js';
import { removeEmptySegments } from './segment-retention.js';
import { projectStats, sessionsBefore } from './catalog-queries.js';
import { searchableText } from './record-text.js';
import { loadSqlJs } from './sqlite.js';
import type { HistoryStore } from './store.js';
import type {
  HistoryRecord,
  ListSessionsQuery,
  NewSession,
  SearchHit,
  SearchQuery,
  SessionMeta,
  SessionPage,
  SessionPatch,
  StoredRecord,
} from './types.js';

export interface HistoryStoreOptions {
  /** Journal bytes indexed since the last snapshot that trigger a new one. */
  snapshotEveryBytes?: number;
  /** Records per index shard (small in tests, to exercise sealed shards). */
  shardRecords?: number;
  /** File bytes of sealed index shards kept open between searches. */
  openShardBytes?: number;
}

export type { SearchOutcome } from './history-index.js';

/** What `cairn history stats` shows. */
export interface HistoryStats {
  projects: { cwd: string; sessions: number; records: number; textBytes: number; lastActive: number }[];
  sessions: number;
  records: number;
  /** Searchable text (messages, tool output as indexed). */
  textBytes: number;
  journalBytes: number;
  indexBytes: number;
}

// About 6,000 messages: bounds the journal a start must replay against the cost of a snapshot
// (the catalog and the live shard, a few MB whatever the history's size).
const DEFAULT_SNAPSHOT_EVERY = 4 << 20;
/** A start that had to read this much journal tail snapshots right away, so the next start is quick. */
const SNAPSHOT_AFTER_LOAD = 1 << 20;
/** Own entries (journal bytes) held for an index nobody has asked for yet, before it loads to take them. */
const PENDING_LOAD_BYTES = 1 << 20;

/**
 * Durable, searchable session history. The journal (one append-only, fsync'd segment per
 * process under `<dir>/journal/`) is the source of truth: `append` resolves once its entry
 * is on disk. The index (sql.js; see HistoryIndex: a catalog and time shards under
 * `<dir>/index/`) is loaded lazily from its last snapshot plus the journal written since, and
 * snapshotted now and then. Only the catalog and the newest shard stay in memory.
 */
export class JournalHistoryStore implements HistoryStore {
  private index: HistoryIndex | undefined;
  /** The index while a rebuild from the journal runs: search answers from what is done so far. */
  private rebuilding: HistoryIndex | undefined;
  private loading: Promise<void> | undefined;
  /** Own entries made durable before the index was loaded. */
  private pending: PositionedEntry[] | undefined = [];
  /** Their journal bytes: past PENDING_LOAD_BYTES the index loads to take them. */
  private pendingBytes = 0;
  private catchingUp: Promise<void> | undefined;
  private purging: Promise<void> | undefined;
  private snapshotting: Promise<void> | undefined;
  private bytesSinceSnapshot = 0;
  private dirty = false;
  private closed = false;
  private readonly journal: JournalBackend;
  /** Other processes' segments known to be complete (their writer exited). */
  private readonly sealed = new Set<string>();
  /** This process's journal segment: indexed as it is written, never re-read. */
  private ownSegment: string | undefined;

  private constructor(
    private readonly dir: string | undefined,
    private readonly options: HistoryStoreOptions,
  ) {
    if (dir) {
      const journal = diskJournal(path.join(dir, 'journal'), this.onDurable);
      this.ownSegment = journal.ownSegment;
      this.journal = journal;
    } else {
      this.journal = memoryJournal(this.onDurable);
    }
  }

  /** Opens history in `dir` (normally `<cairnHome>/history`). Fast: the index loads on first use. */
  static async open(dir: string, options: HistoryStoreOptions = {}): Promise<JournalHistoryStore> {
    return JournalHistoryStore.create(dir, options);
  }

  /** `open` for callers that cannot wait: nothing is read or written until first use. */
  static create(dir: string, options: HistoryStoreOptions = {}): JournalHistoryStore {
    return new JournalHistoryStore(path.resolve(dir), options);
  }

  /** History that lives only in this process (tests, `cairn run --no-history`). */
  static async inMemory(): Promise<JournalHistoryStore> {
    const store = new JournalHistoryStore(undefined, {});
    await store.whenSearchReady();
    return store;
  }

  /** Starts loading the index in the background (own entries past the bound wait for it). */
  private loadInBackground(): void {
    void this.whenSearchReady().catch((err: Error) =>
      process.stderr.write(`cairn: history index failed to load: ${err.stack ?? err}\n`),
    );
  }

  /** Resolves when search, listing and reading are answered from an up-to-date index. */
  whenSearchReady(): Promise<void> {
    this.loading ??= this.load();
    return this.loading;
  }

  async createSession(session: NewSession): Promise<SessionMeta> {
    if (!session.id || typeof session.id !== 'string') throw new Error('A session needs a non-empty id.');
    if (typeof session.cwd !== 'string') throw new Error('A session needs a working directory (cwd).');
    const createdAt = session.createdAt ?? Date.now();
    const stored = { ...session, createdAt };
    await this.write({ op: 'session', session: stored, at: createdAt });
    return { ...stored, updatedAt: createdAt, recordCount: 0 };
  }

  /** Resolves once the record is durable (fsync'd). */
  async append(sessionId: string, record: HistoryRecord): Promise<void> {
    if (record?.type !== 'message' && record?.type !== 'tool_call' && record?.type !== 'compaction') {
      throw new Error(`Unknown history record type ${JSON.stringify((record as { type?: unknown })?.type)}.`);
    }
    await this.write({ op: 'record', sessionId, record: { ...record, at: record.at ?? Date.now() } });
  }

  async updateSession(id: string, patch: SessionPatch): Promise<void> {
    await this.write({ op: 'update', id, patch, at: Date.now() });
  }

  async getSession(id: string): Promise<SessionMeta | undefined> {
    return (await this.readyIndex()).getSession(id);
  }

  /** Newest first. */
  async listSessions(query: ListSessionsQuery = {}): Promise<SessionPage> {
    return (await this.readyIndex()).listSessions(query);
  }

  /** The newest session continuing `id` after a compaction, if any. */
  async childOf(id: string): Promise<SessionMeta | undefined> {
    return (await this.readyIndex()).children(id)[0];
  }

  /** A session's records in order; `from`/`to` select ords `from <= ord < to`. */
  async readSession(id: string, range: { from?: number; to?: number } = {}): Promise<StoredRecord[]> {
    const indexed = await (await this.readyIndex()).records(id, range.from, range.to);
    const entries = await this.journal.read(indexed.map((r) => r.position));
    return entries.map((entry, i) => {
      if (entry.op !== 'record')
        throw new Error(`History index points at a ${entry.op} entry, not a record.`);
      return { ...entry.record, ord: indexed[i]!.ord, at: indexed[i]!.at };
    });
  }

  async search(query: SearchQuery): Promise<SearchHit[]> {
    return (await this.searchRanked(query)).hits;
  }

  /**
   * Search with what it covered: whether the query matched too much to rank it all, and how
   * far back it looked. Scores favour `preferCwd` and recent messages. While the index is
   * being rebuilt from the journal, answers from what is rebuilt so far (`partial`).
   */
  async searchRanked(query: SearchQuery & { preferCwd?: string }): Promise<SearchOutcome> {
    if (this.closed) throw new Error('History is closed.');
    if (!this.rebuilding) this.whenSearchReady().catch(() => undefined);
    // Give a starting load the chance to reach the rebuild, so a query does not wait for all of it.
    if (!this.index && !this.rebuilding) await new Promise((r) => setImmediate(r));
    const partial = this.rebuilding && !this.index;
    const index = partial ? this.rebuilding! : await this.readyIndex();
    const outcome = await index.search(query, (positions) => this.readTexts(positions));
    return partial ? { ...outcome, partial: true } : outcome;
  }

  /** Sessions, messages and text per project, and the bytes history takes on disk. */
  async stats(): Promise<HistoryStats> {
    const index = await this.readyIndex();
    const projects = projectStats(index.catalog.db);
    return {
      projects,
      sessions: projects.reduce((n, p) => n + p.sessions, 0),
      records: projects.reduce((n, p) => n + p.records, 0),
      textBytes: projects.reduce((n, p) => n + p.textBytes, 0),
      journalBytes: this.dir ? await folderBytes(path.join(this.dir, 'journal')) : 0,
      indexBytes: await index.diskBytes(),
    };
  }

  /**
   * Deletes sessions last active more than `keepDays` days ago (their journal lines are erased,
   * and journal files left with nothing else are removed). Returns how many were deleted.
   */
  async prune(keepDays: number, now = Date.now()): Promise<number> {
    if (!(keepDays >= 0)) throw new Error('keepDays must be a number of days, 0 or more.');
    const index = await this.readyIndex();
    const old = sessionsBefore(index.catalog.db, now - keepDays * 86_400_000);
    for (const id of old) await this.write({ op: 'delete', id, at: Date.now() });
    this.purge();
    while (this.purging) await this.purging;
    if (this.dir) await removeEmptySegments(path.join(this.dir, 'journal'), this.ownSegment, writerAlive);
    await this.snapshot();
    return old.length;
  }

  /** Removes a session from listings and search. Returns false when there is no such session. */
  async deleteSession(id: string): Promise<boolean> {
    if (!(await this.getSession(id))) return false;
    await this.write({ op: 'delete', id, at: Date.now() });
    return true;
  }

  /** Writes the index to disk now (also done every `snapshotEveryBytes` and on close). */
  async snapshot(): Promise<void> {
    while (this.snapshotting) await this.snapshotting;
    if (!this.dir || !this.index || this.pending || !this.dirty) return;
    this.dirty = false;
    this.bytesSinceSnapshot = 0;
    this.snapshotting = this.index.save().finally(() => (this.snapshotting = undefined));
    await this.snapshotting;
  }

  /** Finishes pending appends, snapshots the index and releases it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.journal.close();
    // Own entries nobody read go into the index now: the next start replays no tail of them.
    if (!this.loading && this.dir && this.pending?.length) this.loading = this.load();
    if (this.loading) await this.loading.catch(() => undefined);
    while (this.catchingUp) await this.catchingUp;
    this.purge();
    while (this.purging) await this.purging;
    await this.snapshot();
    this.index?.close();
    this.index = undefined;
  }

  private async write(entry: JournalEntry): Promise<void> {
    if (this.closed) throw new Error('History is closed; nothing more can be recorded.');
    await this.journal.append(entry);
  }

  /**
   * Applies own durable entries: straight into the index once loaded, else queued. The index
   * (SQLite in WebAssembly, 20 MB and more) loads when something reads history, or once the
   * queue passes a bound: never just because a session was recorded.
   */
  private onDurable = (batch: PositionedEntry[]): void => {
    if (this.pending) {
      this.pending.push(...batch);
      this.pendingBytes += batch.reduce((n, b) => n + b.position.len, 0);
      if (!this.loading && this.pendingBytes >= PENDING_LOAD_BYTES) this.loadInBackground();
      return;
    }
    this.index!.apply(batch);
    this.noteIndexed(batch.reduce((n, b) => n + b.position.len, 0));
    if (batch.some((b) => b.entry.op === 'delete')) this.purge();
  };

  private async readyIndex(): Promise<HistoryIndex> {
    if (this.closed) throw new Error('History is closed.');
    await this.whenSearchReady();
    // Another Cairn process may have written since; its segments are cheap to check.
    if (this.dir) {
      this.catchingUp ??= this.catchUp(this.index!).finally(() => (this.catchingUp = undefined));
      await this.catchingUp;
    }
    return this.index!;
  }

  private async load(): Promise<void> {
    // The index's code loads with it: a process that never reads history never compiles it.
    const [sql, { HistoryIndex }] = await Promise.all([loadSqlJs(), import('./history-index.js')]);
    if (this.dir) await removeAbandonedSnapshots(this.dir);
    const { index, fromSnapshot } = await HistoryIndex.open(sql, this.dir, {
      shardRecords: this.options.shardRecords,
      openShardBytes: this.options.openShardBytes,
    });
    if (!fromSnapshot) this.rebuilding = index;
    try {
      if (this.dir) await this.catchUp(index);
    } finally {
      this.rebuilding = undefined;
    }
    // Synchronously from here: no own entry can slip between the queue and the index. Entries
    // it already holds are left out: another process's snapshot may have read our segment.
    const fresh = (this.pending ?? []).filter((b) => b.position.pos >= index.indexedTo(b.position.segment));
    index.apply(fresh);
    this.noteIndexed(fresh.reduce((n, b) => n + b.position.len, 0));
    this.pending = undefined;
    this.pendingBytes = 0;
    this.index = index;
    // Deletions this index learnt of (here or from other processes) whose text is still on disk.
    this.purge();
    if (this.dir && (!fromSnapshot || this.bytesSinceSnapshot >= SNAPSHOT_AFTER_LOAD)) {
      this.dirty = true;
      void this.snapshot().catch(logSnapshotFailure);
    }
  }

  /** Indexes what other processes (or earlier runs) appended to their segments since last read. */
  private async catchUp(index: HistoryIndex): Promise<void> {
    const journalDir = path.join(this.dir!, 'journal');
    for (const segment of await listSegments(journalDir)) {
      if (segment === this.ownSegment || this.sealed.has(segment)) continue;
      const from = index.indexedTo(segment);
      const size = await stat(path.join(journalDir, segment)).then(
        (s) => s.size,
        () => 0,
      );
      let readTo = from;
      if (size > from) {
        for await (const { entries, end } of readSegment(journalDir, segment, from)) {
          index.apply(entries, { segment, end });
          this.noteIndexed(entries.reduce((n, b) => n + b.position.len, 0));
          readTo = end;
          // Full shards go to disk as they fill, so a rebuild never holds the whole index.
          if (this.dir) await index.saveSealed();
        }
      }
      // A segment read to its end whose writer has exited never grows again: stop checking it,
      // so queries stay quick with years of segments.
      if (readTo >= size && !writerAlive(segment)) this.sealed.add(segment);
    }
  }

  /** Blanks out the journal lines of deleted sessions, in the background; one pass at a time. */
  private purge(): void {
    if (this.purging || !this.index) return;
    this.purging = (async () => {
      // Sealed shards first: reading a deleted session's records there queues their lines.
      if (await this.index?.purgeShards()) this.dirty = true;
      for (let queue = this.index?.purgeQueue(); queue?.length; queue = this.index?.purgeQueue()) {
        for (const { position, sessionId } of queue) {
          await this.journal.blankOut(position, sessionId);
          this.index?.purged(position);
        }
        this.dirty = true;
      }
    })()
      .catch((err: Error) => {
        process.stderr.write(`cairn: could not erase deleted history (will retry): ${err.message}\n`);
      })
      .finally(() => (this.purging = undefined));
  }

  /** The searchable text of the records at `positions` (undefined where a line is gone). */
  private async readTexts(positions: JournalPosition[]): Promise<(string | undefined)[]> {
    let entries: JournalEntry[] = [];
    try {
      entries = this.journal.readFew(positions);
    } catch (err) {
      process.stderr.write(`cairn: history snippets unavailable: ${(err as Error).message}\n`);
    }
    return positions.map((_, i) => {
      const entry = entries[i];
      return entry?.op === 'record' ? searchableText(entry.record)?.text : undefined;
    });
  }

  private noteIndexed(bytes: number): void {
    if (!bytes) return;
    this.dirty = true;
    this.bytesSinceSnapshot += bytes;
    const every = this.options.snapshotEveryBytes ?? DEFAULT_SNAPSHOT_EVERY;
    if (this.bytesSinceSnapshot >= every && !this.snapshotting && !this.pending && this.index) {
      void this.snapshot().catch(logSnapshotFailure);
    }
  }
}

function logSnapshotFailure(err: Error): void {
  process.stderr.write(
    `cairn: could not snapshot the history index (the journal is intact): ${err.message}\n`,
  );
}
