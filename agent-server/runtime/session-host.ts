import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import {
  conversationFromRecords,
  type HistoryStore,
  type SessionMeta,
  type SessionOrigin,
  type SessionPage,
  type StoredRecord,
} from '../history/index.js';
import type { SessionSettings } from '../history/types.js';
import type { AcpMcpServer } from '../mcp/index.js';
import { isSessionMode, type SessionMode } from '../permissions/policy.js';
import type { AgentSession } from './agent-session.js';
import { forkRecords } from './session-fork.js';
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

export interface ForkParams {
  cwd: string;
  additionalDirectories?: string[];
  mcpServers?: readonly AcpMcpServer[];
  /** Fork before the user's Nth prompt (0-based); without it the fork has the whole conversation. */
  beforeUserMessage?: number;
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

  get(sessionId: string): AgentSession | undefined {
    return this.live.get(sessionId);
  }

  /** A new session, in history before anyone hears of it. */
  async create(
    bindings: (sessionId: string) => ClientBindings,
    params: Omit<NewSessionParams, 'id' | 'earlier' | 'title'> & { id?: string; origin?: SessionOrigin },
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
      ...(params.origin ? { origin: params.origin } : {}),
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
    const leaf = await this.newestOf(params.sessionId);
    await this.close(params.sessionId);

    const chain = await this.chain(leaf.id);
    const settings = this.storedSettings(chain);
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
        ...modeOf(settings),
      },
      this.opts.log,
    );
    if (settings?.config) session.restoreConfig(settings.config);
    await this.restoreModel(session, settings?.model ?? leaf.model);
    this.live.set(session.id, session);
    await session.recordTo(store, leaf.id);
    return { session, transcript };
  }

  /**
   * A new session continuing a copy of another's conversation (all of it, or what came before
   * one of the user's prompts), with its settings; history links it to its source
   * (`origin: fork`). The source goes on unchanged.
   */
  async fork(
    sourceId: string,
    bindings: (sessionId: string) => ClientBindings,
    params: ForkParams,
  ): Promise<AgentSession> {
    const store = this.history();
    const source = this.live.get(sourceId);
    await source?.flushHistory();
    const leaf = await this.newestOf(sourceId);
    const chain = await this.chain(leaf.id);
    const segments = await Promise.all(chain.map((s) => store.readSession(s.id)));
    const records = forkRecords(segments, params.beforeUserMessage);
    const settings = source?.settings ?? this.storedSettings(chain);
    const title = (source?.title ?? leaf.title)?.concat(' (fork)');

    const id = randomUUID();
    const createdAt = new Date();
    const session = await createAgentSession(
      this.opts.services(),
      bindings(id),
      {
        id,
        cwd: path.resolve(params.cwd),
        additionalDirectories: params.additionalDirectories ?? [],
        mcpServers: params.mcpServers ?? [],
        createdAt,
        earlier: conversationFromRecords(records.map((r, ord) => ({ ...r, ord, at: r.at ?? 0 }))),
        ...(title ? { title } : {}),
        ...modeOf(settings),
      },
      this.opts.log,
    );
    if (settings?.config) session.restoreConfig(settings.config);
    await this.restoreModel(session, settings?.model ?? leaf.model);
    try {
      await store.createSession({
        id,
        cwd: session.cwd,
        createdAt: createdAt.getTime(),
        origin: {
          kind: 'fork',
          sessionId: sourceId,
          ...(params.beforeUserMessage !== undefined ? { beforeUserMessage: params.beforeUserMessage } : {}),
        },
        settings: session.settings,
        ...(session.modelId ? { model: session.modelId } : {}),
        ...(title ? { title } : {}),
      });
      // Issued together so they share fsyncs; the journal keeps call order.
      await Promise.all(records.map((r) => store.append(id, r)));
    } catch (err) {
      // A fork history could not take is no fork: nothing of it stays running.
      await session.close();
      throw err;
    }
    await session.recordTo(store, id);
    this.live.set(id, session);
    return session;
  }

  /**
   * Renames a session: the live one (its client hears it), else the stored one. The id may be
   * one a compaction since continued: the newest part of its chain carries the title.
   */
  async setTitle(sessionId: string, title: string): Promise<string> {
    const live = this.live.get(sessionId);
    if (live) {
      await live.setTitle(title);
      return live.title!;
    }
    const trimmed = title.replace(/\s+/g, ' ').trim();
    if (!trimmed) throw new Error('A title needs some text.');
    const leaf = await this.newestOf(sessionId);
    await this.history().updateSession(leaf.id, { title: trimmed });
    return trimmed;
  }

  /** The stored session and, when compactions continued it, the newest part of its chain. */
  private async newestOf(sessionId: string): Promise<SessionMeta> {
    const store = this.history();
    let leaf = await store.getSession(sessionId);
    if (!leaf) throw new SessionNotFoundError(sessionId);
    for (let child = await store.childOf(leaf.id); child; child = await store.childOf(leaf.id)) leaf = child;
    return leaf;
  }

  /** The newest settings stored along the chain (a compaction's new part starts without them). */
  private storedSettings(chain: readonly SessionMeta[]): SessionSettings | undefined {
    return [...chain].reverse().find((s) => s.settings)?.settings;
  }

  /**
   * The model the session last used, when the endpoint still offers it (its /models lists it, or,
   * without a list, it is one of the configured choices); otherwise the configured model.
   */
  private async restoreModel(session: AgentSession, stored: string | undefined): Promise<void> {
    if (!stored || stored === session.modelId) return;
    // The endpoint's /models list decides when it has one; else the configured choices do.
    const listed = await session.modelControls?.endpointOffers(stored);
    if (!(listed ?? session.modelChoices.includes(stored))) {
      this.opts.log(
        `cairn: session ${session.id} keeps the configured model: "${stored}" is no longer offered`,
      );
      return;
    }
    try {
      await session.setModel(stored);
    } catch (err) {
      this.opts.log(`cairn: session ${session.id} keeps the configured model: ${(err as Error).message}`);
    }
  }

  /**
   * Stored sessions, newest first, leaving out empty ones and those a compaction continued.
   * Delegated tasks' sessions are left out unless asked for: `includeChildren` lists them with the
   * rest, `parentSessionId` lists only those its chain (any part, compacted or not) delegated.
   */
  async list(query: {
    cwd?: string;
    cursor?: string;
    includeChildren?: boolean;
    parentSessionId?: string;
  }): Promise<SessionPage> {
    const parents = query.parentSessionId ? await this.chainIds(query.parentSessionId) : undefined;
    return this.history().listSessions({
      cwd: query.cwd ? path.resolve(query.cwd) : undefined,
      cursor: query.cursor,
      limit: LIST_PAGE,
      nonEmpty: true,
      latestOnly: true,
      ...(parents ? { delegatedBy: parents } : query.includeChildren ? {} : { hideDelegated: true }),
    });
  }

  /**
   * Deletes the whole chain: the session, those it continued, and those continuing it, and the
   * sessions of the tasks it delegated (which the list shows only under it), theirs too.
   */
  async delete(sessionId: string): Promise<void> {
    await this.close(sessionId);
    const store = this.history();
    const chain = await this.chain(sessionId);
    if (!chain.length) throw new SessionNotFoundError(sessionId);
    const ids = await this.chainIds(sessionId);
    const deleted = new Set<string>();
    for (;;) {
      const page = await store.listSessions({ delegatedBy: ids, limit: 100 });
      const left = page.sessions.filter((c) => !deleted.has(c.id));
      if (!left.length) break;
      for (const child of left) {
        deleted.add(child.id);
        await this.delete(child.id);
      }
    }
    for (const id of ids) await store.deleteSession(id);
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

  /** The ids of the session's whole chain: itself, those it continues and those continuing it. */
  private async chainIds(id: string): Promise<string[]> {
    const store = this.history();
    const ids = new Set([id, ...(await this.chain(id)).map((s) => s.id)]);
    for (
      let child = await store.childOf(id);
      child && !ids.has(child.id);
      child = await store.childOf(child.id)
    )
      ids.add(child.id);
    return [...ids];
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

/** The stored mode as session parameters, when it is one Cairn still has. */
function modeOf(settings: SessionSettings | undefined): { mode?: SessionMode } {
  return settings?.mode && isSessionMode(settings.mode) ? { mode: settings.mode } : {};
}
