import type { ChatMessage } from '../core/messages.js';
import type { ToolCallStatus } from '../core/events.js';
import type { ToolContent, ToolKind, ToolLocation } from '../core/tool-content.js';

/**
 * Where a session came from, other than a user starting it. Set at creation, never changed.
 * (`SessionMeta.parentId` is something else: the session a compaction continued.)
 */
export type SessionOrigin =
  /** `session/fork`, or a checkpoint rewind with the conversation: before user prompt N, or all of it. */
  | { kind: 'fork'; sessionId: string; beforeUserMessage?: number }
  /** A delegated task; `sessionId` is the parent that delegated it. */
  | { kind: 'delegated'; sessionId: string; task: string }
  | { kind: 'job'; jobId: string; jobName: string; outcome?: string }
  | { kind: 'batch'; batchId: string; taskId: string };

/** A session's settings, stored so load and resume bring it back as it was left. */
export interface SessionSettings {
  mode?: string;
  model?: string;
  /** Other session config options by id (e.g. reasoning effort). */
  config?: Record<string, string>;
  terminalProfile?: string;
}

/** A session as history knows it. Times are epoch milliseconds. */
export interface SessionMeta {
  id: string;
  cwd: string;
  title?: string;
  model?: string;
  /** The session this one continues after a context compaction. */
  parentId?: string;
  origin?: SessionOrigin;
  settings?: SessionSettings;
  createdAt: number;
  updatedAt: number;
  /** Stored records (messages and tool-call states). */
  recordCount: number;
}

export type NewSession = Pick<SessionMeta, 'id' | 'cwd'> &
  Partial<Pick<SessionMeta, 'title' | 'model' | 'parentId' | 'origin' | 'settings' | 'createdAt'>>;

/** `settings` replaces the stored settings as a whole. */
export type SessionPatch = Partial<Pick<SessionMeta, 'title' | 'model' | 'parentId' | 'settings'>>;

/** The final display state of a tool call, kept so a loaded session shows it as it ended. */
export interface StoredToolCall {
  toolCallId: string;
  title: string;
  kind: ToolKind;
  status: ToolCallStatus;
  content: ToolContent[];
  locations: ToolLocation[];
  rawInput?: unknown;
}

/** What a session's history is made of, in order. `at` defaults to the time of the append. */
export type HistoryRecord =
  | { type: 'message'; message: ChatMessage; at?: number }
  | { type: 'tool_call'; toolCall: StoredToolCall; at?: number }
  /**
   * Opens a session that continues another after a compaction: the summary of the older turns,
   * then `carried` message records copied from the parent (its latest turns).
   */
  | { type: 'compaction'; summary: string; carried: number; at?: number };

/** A record read back: its position in the session (`ord`, from 0) and its time. */
export type StoredRecord = HistoryRecord & { ord: number; at: number };

export type SearchRole = 'user' | 'assistant' | 'tool';

export interface SearchQuery {
  query: string;
  sessionId?: string;
  /** Only sessions whose working directory is this one. */
  cwd?: string;
  role?: SearchRole;
  /** Epoch ms, inclusive. */
  since?: number;
  /** Epoch ms, exclusive. */
  until?: number;
  limit?: number;
}

export interface SearchHit {
  sessionId: string;
  sessionTitle?: string;
  cwd: string;
  ord: number;
  role: SearchRole;
  at: number;
  /** Matched text with the hits wrapped in `[` `]`. */
  snippet: string;
  /** BM25 relevance; higher is better. */
  score: number;
}

export interface ListSessionsQuery {
  cwd?: string;
  /** Leave out sessions with no records yet (opened, never prompted). */
  nonEmpty?: boolean;
  /** Leave out sessions a compaction continued in a child session (the child stands for them). */
  latestOnly?: boolean;
  /** Leave out delegated tasks' sessions (`origin.kind === 'delegated'`). */
  hideDelegated?: boolean;
  /** Only the sessions of tasks delegated by one of these sessions (`origin.sessionId`). */
  delegatedBy?: readonly string[];
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string;
  limit?: number;
}

export interface SessionPage {
  sessions: SessionMeta[];
  nextCursor?: string;
}

/** Search hits and what the search covered. */
export interface SearchOutcome {
  hits: SearchHit[];
  /** Messages matching every term in the history searched (a lower bound when `tooMany`). */
  matched: number;
  /** More messages match than are ranked: the query should be narrowed. */
  tooMany: boolean;
  /** Set when older history was not searched: the time of the oldest message looked at. */
  searchedBack?: number;
  /** Set while a rebuild runs: search covers only what is rebuilt so far. */
  partial?: boolean;
}
