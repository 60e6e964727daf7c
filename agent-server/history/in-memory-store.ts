import { decodeCursor, encodeCursor } from './index-rows.js';
import { recordRole, searchableText } from './record-text.js';
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

/**
 * History kept in arrays: for tests of code that records or reads sessions, and runs that must
 * leave nothing on disk. Search matches every word of the query as a case-insensitive
 * substring (no ranking beyond the count of occurrences); the disk store ranks with BM25.
 */
export class InMemoryHistoryStore implements HistoryStore {
  private readonly sessions = new Map<string, SessionMeta>();
  private readonly records = new Map<string, StoredRecord[]>();
  private closed = false;

  async createSession(session: NewSession): Promise<SessionMeta> {
    if (!session.id) throw new Error('A session needs a non-empty id.');
    this.open();
    const createdAt = session.createdAt ?? Date.now();
    const meta: SessionMeta = { ...session, createdAt, updatedAt: createdAt, recordCount: 0 };
    this.sessions.set(session.id, meta);
    this.records.set(session.id, []);
    return { ...meta };
  }

  async append(sessionId: string, record: HistoryRecord): Promise<void> {
    this.open();
    const meta = this.sessions.get(sessionId);
    const list = this.records.get(sessionId);
    if (!meta || !list) throw new Error(`No history session ${sessionId}.`);
    const at = record.at ?? Date.now();
    list.push({ ...structuredClone(record), ord: list.length, at });
    meta.recordCount = list.length;
    meta.updatedAt = Math.max(meta.updatedAt, at);
  }

  async updateSession(id: string, patch: SessionPatch): Promise<void> {
    this.open();
    const meta = this.sessions.get(id);
    if (meta) Object.assign(meta, patch, { updatedAt: Math.max(meta.updatedAt, Date.now()) });
  }

  async getSession(id: string): Promise<SessionMeta | undefined> {
    const meta = this.sessions.get(id);
    return meta && { ...meta };
  }

  async listSessions(query: ListSessionsQuery = {}): Promise<SessionPage> {
    const limit = query.limit ?? 50;
    const parents = new Set([...this.sessions.values()].map((s) => s.parentId).filter(Boolean));
    const after = query.cursor ? decodeCursor(query.cursor) : undefined;
    const found = [...this.sessions.values()]
      .filter((s) => query.cwd === undefined || s.cwd === query.cwd)
      .filter((s) => !query.nonEmpty || s.recordCount > 0)
      .filter((s) => !query.latestOnly || !parents.has(s.id))
      .filter((s) => !query.hideDelegated || s.origin?.kind !== 'delegated')
      .filter(
        (s) =>
          !query.delegatedBy ||
          (s.origin?.kind === 'delegated' && query.delegatedBy.includes(s.origin.sessionId)),
      )
      .sort((a, b) => b.updatedAt - a.updatedAt || (b.id < a.id ? -1 : 1))
      .filter(
        (s) =>
          !after || s.updatedAt < after.updatedAt || (s.updatedAt === after.updatedAt && s.id < after.id),
      );
    const sessions = found.slice(0, limit).map((s) => ({ ...s }));
    const last = sessions[sessions.length - 1];
    return { sessions, ...(found.length > limit && last ? { nextCursor: encodeCursor(last) } : {}) };
  }

  async childOf(id: string): Promise<SessionMeta | undefined> {
    const children = [...this.sessions.values()]
      .filter((s) => s.parentId === id)
      .sort((a, b) => b.createdAt - a.createdAt);
    return children[0] && { ...children[0] };
  }

  async readSession(id: string, range: { from?: number; to?: number } = {}): Promise<StoredRecord[]> {
    const from = range.from ?? 0;
    const to = range.to ?? Number.MAX_SAFE_INTEGER;
    return (this.records.get(id) ?? [])
      .filter((r) => r.ord >= from && r.ord < to)
      .map((r) => structuredClone(r));
  }

  async search(query: SearchQuery): Promise<SearchHit[]> {
    const words = query.query.toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.length) return [];
    const hits: SearchHit[] = [];
    for (const meta of this.sessions.values()) {
      if (query.sessionId && meta.id !== query.sessionId) continue;
      if (query.cwd !== undefined && meta.cwd !== query.cwd) continue;
      for (const record of this.records.get(meta.id) ?? []) {
        if (query.role && recordRole(record) !== query.role) continue;
        if (query.since !== undefined && record.at < query.since) continue;
        if (query.until !== undefined && record.at >= query.until) continue;
        const searchable = searchableText(record);
        const lower = searchable?.text.toLowerCase();
        if (!searchable || !lower || !words.every((w) => lower.includes(w))) continue;
        const first = lower.indexOf(words[0]!);
        hits.push({
          sessionId: meta.id,
          ...(meta.title ? { sessionTitle: meta.title } : {}),
          cwd: meta.cwd,
          ord: record.ord,
          role: searchable.role,
          at: record.at,
          snippet: `${searchable.text.slice(Math.max(0, first - 40), first)}[${searchable.text.slice(first, first + words[0]!.length)}]${searchable.text.slice(first + words[0]!.length, first + 80)}`,
          score: words.reduce((n, w) => n + lower.split(w).length - 1, 0),
        });
      }
    }
    return hits.sort((a, b) => b.score - a.score).slice(0, query.limit ?? 20);
  }

  async deleteSession(id: string): Promise<boolean> {
    this.records.delete(id);
    return this.sessions.delete(id);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private open(): void {
    if (this.closed) throw new Error('History is closed; nothing more can be recorded.');
  }
}
