import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import {
  conversationFromRecords,
  type HistoryStore,
  type SessionMeta,
  type SessionPage,
  type StoredRecord,
} from '../history/index.js';
import type { AcpMcpServer } from '../mcp/index.js';
import type { AgentSession } from './agent-session.js';
import { createAgentSession, type ClientBindings, type NewSessionParams } from './session-factory.js';
import type { RuntimeServices } from './services.js';

/** No live or stored session has this id. */
export class SessionNotFoundError extends Error {
  override name = 'SessionNotFoundError';
  constructor(readonly sessionId: string) {
    super(`Session ${sessionId} not found`);
  }
}

export interface SessionHostOptions {
  /** Read on first use, so a front end can answer before configuration is loaded. */
  services: () => RuntimeServices;
  log: (line: string) => void;
}

export interface RestoreParams {
  sessionId: string;
  cwd: string;
  additionalDirectories?: string[];
  mcpServers?: readonly AcpMcpServer[];
}

const LIST_PAGE = 50;

/**
 * The live sessions of one front end (an ACP connection, a run, a job runner) and the stored
 * ones behind them: sessions are created recorded, brought back from history under the id the
 * client knows, listed, closed and deleted here. A session that was compacted lives on in a
 * chain of history sessions (each continuing its parent); the host walks that chain.
 */
export class SessionHost {
  private readonly live = new Map<string, AgentSession>();
  private opened: HistoryStore | undefined;

  constructor(private readonly opts: SessionHostOptions) {}

  /** History, opened on first use. */
  history(): HistoryStore {
    this.opened ??= this.opts.services().history;
    return this.opened;
  }

  /** Loads history's index in the background (call once the client has its answer). */
  warmUp(): void {
    try {
      this.history().warmUp();
    } catch (err) {
      this.opts.log(`cairn: history unavailable: ${(err as Error).message}`);
    }
  }

  get(sessionId: string): AgentSession | undefined {
    return this.live.get(sessionId);
  }

  /** A new session, in history before anyone hears of it. */
  async create(
    bindings: (sessionId: string) => ClientBindings,
    params: Omit<NewSessionParams, 'id' | 'earlier' | 'title'> & { id?: string },
  ): Promise<AgentSession> {
    const id = params.id ?? randomUUID();
    const session = await createAgentSession(
      this.opts.services(),
      bindings(id),
      { ...params, id },
      this.opts.log,
    );
    await session.recordTo(this.history(), id, {
      cwd: session.cwd,
      createdAt: session.createdAt,
      ...(session.modelId ? { model: session.modelId } : {}),
    });
    this.live.set(id, session);
    return session;
  }

  /**
   * Rebuilds a stored session as a live one under the id the client asked for (a live one of
   * that id is closed first). The model continues from the newest part of the chain; the
   * returned transcript is the whole conversation, oldest first, for showing it again.
   */
  async restore(
    bindings: (sessionId: string) => ClientBindings,
    params: RestoreParams,
  ): Promise<{ session: AgentSession; transcript: StoredRecord[] }> {
    const store = this.history();
    // A client may still hold the id of a session that was since compacted: continue the newest.
    let leaf = await store.getSession(params.sessionId);
    if (!leaf) throw new SessionNotFoundError(params.sessionId);
    for (let child = await store.childOf(leaf.id); child; child = await store.childOf(leaf.id)) leaf = child;
    await this.close(params.sessionId);

    const chain = await this.chain(leaf.id);
    const own = await store.readSession(leaf.id);
    const transcript: StoredRecord[] = [];
    for (const s of chain.slice(0, -1)) transcript.push(...(await store.readSession(s.id)));
    transcript.push(...own);

    const session = await createAgentSession(
      this.opts.services(),
      bindings(params.sessionId),
      {
        id: params.sessionId,
        cwd: path.resolve(params.cwd),
        additionalDirectories: params.additionalDirectories ?? [],
        mcpServers: params.mcpServers ?? [],
        createdAt: new Date(chain[0]!.createdAt),
        // The configured model first; the stored one comes back below when still offered.
        earlier: conversationFromRecords(own),
        ...(leaf.title ? { title: leaf.title } : {}),
      },
      this.opts.log,
    );
    await this.restoreModel(session, leaf.model);
    this.live.set(session.id, session);
    await session.recordTo(store, leaf.id);
    return { session, transcript };
  }

  /**
   * The model the session last used, when the endpoint still offers it (one of the configured
   * choices); otherwise it goes on with the configured model.
   */
  private async restoreModel(session: AgentSession, stored: string | undefined): Promise<void> {
    if (!stored || stored === session.modelId || !session.modelChoices.includes(stored)) return;
    try {
      await session.setModel(stored);
    } catch (err) {
      this.opts.log(`cairn: session ${session.id} keeps the configured model: ${(err as Error).message}`);
    }
  }

  /** Stored sessions, newest first, leaving out empty ones and those a compaction continued. */
  list(query: { cwd?: string; cursor?: string }): Promise<SessionPage> {
    return this.history().listSessions({
      cwd: query.cwd ? path.resolve(query.cwd) : undefined,
      cursor: query.cursor,
      limit: LIST_PAGE,
      nonEmpty: true,
      latestOnly: true,
    });
  }

  /** Deletes the whole chain: the session, those it continued, and those continuing it. */
  async delete(sessionId: string): Promise<void> {
    await this.close(sessionId);
    const store = this.history();
    const chain = await this.chain(sessionId);
    if (!chain.length) throw new SessionNotFoundError(sessionId);
    let leaf = chain[chain.length - 1]!.id;
    for (let child = await store.childOf(leaf); child; child = await store.childOf(leaf)) {
      await store.deleteSession(child.id);
      leaf = child.id;
    }
    for (const s of chain) await store.deleteSession(s.id);
  }

  /** Closes a live session (its recording is flushed); nothing when there is none. */
  async close(sessionId: string): Promise<void> {
    const session = this.live.get(sessionId);
    if (!session) return;
    this.live.delete(sessionId);
    await session.close();
  }

  async closeAll(): Promise<void> {
    const all = [...this.live.values()];
    this.live.clear();
    await Promise.allSettled(all.map((s) => s.close()));
    await this.opened?.close();
  }

  /** The session and the sessions it continues, oldest first. */
  private async chain(id: string): Promise<SessionMeta[]> {
    const store = this.history();
    const out: SessionMeta[] = [];
    const seen = new Set<string>();
    for (let s = await store.getSession(id); s && !seen.has(s.id);) {
      seen.add(s.id);
      out.unshift(s);
      s = s.parentId ? await store.getSession(s.parentId) : undefined;
    }
    return out;
  }
}
