import type { Database, SqlValue } from 'sql.js';
import type { SessionMeta, SessionOrigin, SessionSettings } from './types.js';

/** Row plumbing for the history index: queries to objects, sessions rows to metadata, list cursors. */

export interface SessionRow {
  id: string;
  cwd: string;
  title: string | null;
  model: string | null;
  parent_id: string | null;
  origin: string | null;
  settings: string | null;
  created_at: number;
  updated_at: number;
  record_count: number;
}

export function rows<T>(db: Database, sql: string, params: SqlValue[] = []): T[] {
  const stmt = db.prepare(sql);
  try {
    stmt.bind(params);
    const out: T[] = [];
    while (stmt.step()) out.push(stmt.getAsObject() as unknown as T);
    return out;
  } finally {
    stmt.free();
  }
}

/** Whitespace-separated words: close enough to the tokenizer's count for length normalisation, and cheap. */
export function countWords(text: string): number {
  let words = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const space = c === 32 || (c >= 9 && c <= 13);
    if (!space && !inWord) words++;
    inWord = !space;
  }
  return words;
}

export function toMeta(row: SessionRow): SessionMeta {
  const meta: SessionMeta = {
    id: row.id,
    cwd: row.cwd,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    recordCount: row.record_count,
  };
  if (row.title !== null) meta.title = row.title;
  if (row.model !== null) meta.model = row.model;
  if (row.parent_id !== null) meta.parentId = row.parent_id;
  if (row.origin) meta.origin = JSON.parse(row.origin) as SessionOrigin;
  if (row.settings) meta.settings = JSON.parse(row.settings) as SessionSettings;
  return meta;
}

export function clampLimit(limit: number | undefined, fallback: number, max: number): number {
  if (limit === undefined || !Number.isFinite(limit)) return fallback;
  return Math.max(1, Math.min(max, Math.floor(limit)));
}

export function encodeCursor(s: SessionMeta): string {
  return Buffer.from(JSON.stringify([s.updatedAt, s.id])).toString('base64url');
}

export function decodeCursor(cursor: string): { updatedAt: number; id: string } {
  try {
    const [updatedAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof updatedAt === 'number' && typeof id === 'string') return { updatedAt, id };
  } catch {
    // fall through to the error below
  }
  throw new Error('Invalid session list cursor; start again without one.');
}
