import type { Database, SqlValue } from 'sql.js';
import { clampLimit, decodeCursor, encodeCursor, rows, toMeta, type SessionRow } from './index-rows.js';
import type { ListSessionsQuery, SessionMeta, SessionPage } from './types.js';

/** Read-only questions to the history catalog (IndexCatalog's database): listing and statistics. */

export function listSessions(db: Database, q: ListSessionsQuery): SessionPage {
  const limit = clampLimit(q.limit, 50, 500);
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (q.cwd !== undefined) (where.push('cwd = ?'), params.push(q.cwd));
  if (q.nonEmpty) where.push('record_count > 0');
  if (q.latestOnly) where.push('NOT EXISTS (SELECT 1 FROM sessions c WHERE c.parent_id = sessions.id)');
  if (q.hideDelegated) where.push("(origin_kind IS NULL OR origin_kind <> 'delegated')");
  if (q.delegatedBy) {
    const ids = q.delegatedBy.length ? q.delegatedBy.map(() => '?').join(', ') : 'NULL';
    where.push(`origin_kind = 'delegated' AND origin_session IN (${ids})`);
    params.push(...q.delegatedBy);
  }
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    where.push('(updated_at < ? OR (updated_at = ? AND id < ?))');
    params.push(c.updatedAt, c.updatedAt, c.id);
  }
  const found = rows<SessionRow>(
    db,
    `SELECT * FROM sessions ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
     ORDER BY updated_at DESC, id DESC LIMIT ?`,
    [...params, limit + 1],
  );
  const sessions = found.slice(0, limit).map(toMeta);
  const last = sessions[sessions.length - 1];
  return { sessions, nextCursor: found.length > limit && last ? encodeCursor(last) : undefined };
}

export function children(db: Database, id: string): SessionMeta[] {
  return rows<SessionRow>(
    db,
    'SELECT * FROM sessions WHERE parent_id = ? ORDER BY created_at DESC, id DESC',
    [id],
  ).map(toMeta);
}

/** Sessions last active before `before` (for retention). */
export function sessionsBefore(db: Database, before: number): string[] {
  return rows<{ id: string }>(db, 'SELECT id FROM sessions WHERE updated_at < ?', [before]).map((r) => r.id);
}

/** Sessions, records and text per project. */
export function projectStats(db: Database): {
  cwd: string;
  sessions: number;
  records: number;
  textBytes: number;
  lastActive: number;
}[] {
  return rows<{ cwd: string; sessions: number; records: number; text_bytes: number; last: number }>(
    db,
    `SELECT cwd, count(*) AS sessions, total(record_count) AS records, total(text_bytes) AS text_bytes,
            max(updated_at) AS last FROM sessions GROUP BY cwd ORDER BY total(text_bytes) DESC`,
  ).map((r) => ({
    cwd: r.cwd,
    sessions: r.sessions,
    records: r.records,
    textBytes: r.text_bytes,
    lastActive: r.last,
  }));
}
