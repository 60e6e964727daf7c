import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import * as acp from '@agentclientprotocol/sdk';
import {
  estimateTokens,
  shouldCompact,
  splitForCompaction,
  summarise,
  summaryMessage,
} from '../core/compaction.js';
import type { TurnEvent } from '../core/events.js';
import { userText, type ChatMessage } from '../core/messages.js';
import type { McpServer } from '@agentclientprotocol/sdk';
import {
  conversationFromRecords,
  SessionRecorder,
  titleFromFirstExchange,
  type HistoryStore,
  type SessionMeta,
  type StoredRecord,
} from '../history/index.js';
import type { AgentSession } from '../runtime/agent-session.js';
import { compactionUpdate, replayUpdates } from './history-replay.js';
import { noticeAsUpdate } from './translate.js';
import { configOptions, modeState } from './session-config.js';

export interface RestoreParams {
  id: string;
  cwd: string;
  additionalDirectories: string[];
  mcpServers: McpServer[];
  createdAt: Date;
  earlier: ChatMessage[];
}

export interface SessionHistoryDeps {
  history: () => HistoryStore;
  sessions: Map<string, AgentSession>;
  /** Builds a live session (model, tools, client bindings) around stored messages. */
  restore(client: acp.AgentContext, params: RestoreParams): Promise<AgentSession>;
  /** Tells the client the session's commands (after the load/resume answer). */
  announce(client: acp.AgentContext, session: AgentSession): void;
  send(client: acp.AgentContext, sessionId: string, update: acp.SessionUpdate): Promise<void>;
  /** What the client said it can show (from `initialize`). */
  clientSupports(): { compaction: boolean; notices: boolean };
  log(line: string): void;
}

const LIST_PAGE = 50;

/**
 * Sessions that outlive the process: recording live sessions into history, and the ACP
 * methods that bring them back (`session/load` with replay, `session/resume`,
 * `session/list`, `session/delete`). A live session keeps the id the client knows; after a
 * compaction it is written to a child session in history (`historyId`).
 */
export class AcpSessionHistory {
  private readonly recorders = new Map<string, SessionRecorder>();
  /** Context in use after each session's last model request, for compaction. */
  private readonly contextUsed = new Map<string, { tokens: number; window?: number }>();
  private opened: HistoryStore | undefined;

  constructor(private readonly deps: SessionHistoryDeps) {}

  /** Loads the index in the background: call once `initialize` is answered. */
  warmUp(): void {
    try {
      this.store().warmUp();
    } catch (err) {
      this.deps.log(`cairn: history unavailable: ${(err as Error).message}`);
    }
  }

  register(app: acp.AgentApp): void {
    app.onRequest('session/list', async ({ params }) => {
      let page;
      try {
        page = await this.store().listSessions({
          cwd: params.cwd ? path.resolve(params.cwd) : undefined,
          cursor: params.cursor ?? undefined,
          limit: LIST_PAGE,
          nonEmpty: true,
          latestOnly: true,
        });
      } catch (err) {
        if (/cursor/.test((err as Error).message))
          throw acp.RequestError.invalidParams({ cursor: params.cursor }, (err as Error).message);
        throw err;
      }
      return {
        sessions: page.sessions.map(sessionInfo),
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      };
    });

    app.onRequest('session/load', async ({ params, client }) => {
      const { session, records } = await this.bringBack(client, params);
      const supports = this.deps.clientSupports();
      for (const update of replayUpdates(records, supports)) await this.deps.send(client, session.id, update);
      this.deps.announce(client, session);
      return { modes: modeState(session), configOptions: configOptions(session) };
    });

    app.onRequest('session/resume', async ({ params, client }) => {
      const { session } = await this.bringBack(client, { ...params, mcpServers: params.mcpServers ?? [] });
      this.deps.announce(client, session);
      return { modes: modeState(session), configOptions: configOptions(session) };
    });

    app.onRequest('session/delete', async ({ params }) => {
      await this.closeLive(params.sessionId);
      const store = this.store();
      // The whole chain goes: the session, the sessions it continued, and those continuing it.
      const chain = await this.chain(params.sessionId);
      if (!chain.length) throw acp.RequestError.resourceNotFound(params.sessionId);
      let leaf = chain[chain.length - 1]!.id;
      for (let child = await store.childOf(leaf); child; child = await store.childOf(leaf)) {
        await store.deleteSession(child.id);
        leaf = child.id;
      }
      for (const s of chain) await store.deleteSession(s.id);
      return {};
    });
  }

  /** `session/new`: the session is in history before the client hears of it. */
  async started(session: AgentSession): Promise<void> {
    try {
      await this.store().createSession({
        id: session.id,
        cwd: session.cwd,
        createdAt: session.createdAt.getTime(),
        ...(session.modelId ? { model: session.modelId } : {}),
      });
    } catch (err) {
      // The session still works; it just will not be listed or searchable later.
      this.deps.log(`cairn: session ${session.id} is not recorded in history: ${(err as Error).message}`);
      return;
    }
    this.record(session, session.id);
  }

  observe(sessionId: string, event: TurnEvent): void {
    if (event.type === 'usage') {
      this.contextUsed.set(sessionId, {
        tokens: event.usage.inputTokens + event.usage.outputTokens,
        window: event.contextWindow,
      });
    }
    this.recorders.get(sessionId)?.observe(event);
  }

  /** Before a turn: compacts when the last one left the context window nearly full. */
  async compactIfNeeded(
    client: acp.AgentContext,
    session: AgentSession,
    fallbackWindow: number,
  ): Promise<void> {
    const used = this.contextUsed.get(session.id);
    // Servers that report no usage (some local ones) get an estimate from the text itself.
    const tokens =
      used?.tokens ?? estimateTokens(session.conversation.systemPrompt, session.conversation.messages);
    if (!shouldCompact(tokens, session.contextWindow ?? used?.window ?? fallbackWindow)) return;
    await this.compact(client, session);
  }

  /**
   * Summarises the older turns with the model and continues in a child session linked to the
   * current one; the client is told with `compaction_update` (or a notice). Returns what to
   * tell the user. The live session keeps its id; only the history it writes to changes.
   */
  async compact(client: acp.AgentContext, session: AgentSession): Promise<string> {
    const recorder = this.recorders.get(session.id);
    if (!recorder) return 'This session is not recorded, so it cannot be compacted.';
    await recorder.flush();
    const { older, kept } = splitForCompaction(session.conversation.messages);
    if (!older.length) return 'Nothing to compact yet: the conversation is only its latest turns.';
    const supports = this.deps.clientSupports();
    const compactionId = randomUUID();
    const tell = (update: acp.SessionUpdate) => this.deps.send(client, session.id, update);
    if (supports.compaction)
      await tell({ sessionUpdate: 'compaction_update', compactionId, status: 'in_progress' });
    let summary: string;
    try {
      summary = await summarise(session.requireModel(), older, new AbortController().signal);
    } catch (err) {
      const message = (err as Error).message;
      if (supports.compaction)
        await tell({ sessionUpdate: 'compaction_update', compactionId, status: 'failed', error: message });
      else await tell(noticeAsUpdate('error', message, supports.notices));
      return `Compaction failed: ${message}`;
    }
    const store = this.store();
    const parentId = recorder.sessionId;
    const childId = randomUUID();
    await store.createSession({
      id: childId,
      cwd: session.cwd,
      parentId,
      ...(session.title ? { title: session.title } : {}),
      ...(session.modelId ? { model: session.modelId } : {}),
    });
    // Issued together so they share fsyncs; the journal keeps call order.
    await Promise.all([
      store.append(childId, { type: 'compaction', summary, carried: kept.length }),
      ...kept.map((message) => store.append(childId, { type: 'message', message })),
    ]);
    session.conversation.replace([summaryMessage(summary), ...kept]);
    recorder.sessionId = childId;
    this.contextUsed.delete(session.id);
    await tell(compactionUpdate(summary, compactionId, supports.compaction));
    return `Compacted ${older.length} earlier messages into a summary; the latest ${kept.length} are kept as they were.`;
  }

  /** The history session a live session writes to now (differs from its id after compaction). */
  historyId(sessionId: string): string | undefined {
    return this.recorders.get(sessionId)?.sessionId;
  }

  /** Moves a live session's recording to another history session (compaction's child). */
  moveTo(sessionId: string, historyId: string): void {
    const recorder = this.recorders.get(sessionId);
    if (recorder) recorder.sessionId = historyId;
  }

  /**
   * After a turn: everything it produced is durable before the prompt is answered; the
   * first exchange names the session.
   */
  async turnEnded(client: acp.AgentContext, session: AgentSession): Promise<void> {
    const recorder = this.recorders.get(session.id);
    if (!recorder) return;
    recorder.endTurn();
    try {
      await recorder.flush();
    } catch (err) {
      this.deps.log(`cairn: history of session ${session.id} is incomplete: ${(err as Error).message}`);
      return;
    }
    if (session.title) return;
    const messages = session.conversation.messages;
    const firstUser = messages.find((m) => m.role === 'user');
    const firstReply = messages.find((m) => m.role === 'assistant' && m.content);
    const title = titleFromFirstExchange(
      firstUser && firstUser.role === 'user' ? userText(firstUser.content) : '',
      firstReply && firstReply.role === 'assistant' ? firstReply.content : '',
    );
    if (!title) return;
    session.title = title;
    await this.store().updateSession(recorder.sessionId, { title });
    await this.deps.send(client, session.id, {
      sessionUpdate: 'session_info_update',
      title,
      updatedAt: new Date().toISOString(),
    });
  }

  /** `session/close` (and shutdown): flushes and stops recording the session. */
  async closed(sessionId: string): Promise<void> {
    const recorder = this.recorders.get(sessionId);
    if (!recorder) return;
    this.recorders.delete(sessionId);
    recorder.endTurn();
    recorder.stop();
    await recorder.flush().catch((err: Error) => this.deps.log(`cairn: ${err.message}`));
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.recorders.keys()].map((id) => this.closed(id)));
    await this.opened?.close();
  }

  store(): HistoryStore {
    this.opened ??= this.deps.history();
    return this.opened;
  }

  private record(session: AgentSession, historyId: string): void {
    const recorder = new SessionRecorder(this.store(), historyId, this.deps.log);
    recorder.attach(session.conversation);
    this.recorders.set(session.id, recorder);
  }

  private async closeLive(sessionId: string): Promise<void> {
    const live = this.deps.sessions.get(sessionId);
    if (!live) return;
    this.deps.sessions.delete(sessionId);
    await this.closed(sessionId);
    await live.close();
  }

  /** The session and the sessions it continues, oldest first. */
  private async chain(id: string): Promise<SessionMeta[]> {
    const out: SessionMeta[] = [];
    const seen = new Set<string>();
    for (let s = await this.store().getSession(id); s && !seen.has(s.id);) {
      seen.add(s.id);
      out.unshift(s);
      s = s.parentId ? await this.store().getSession(s.parentId) : undefined;
    }
    return out;
  }

  /** Rebuilds a stored session as a live one under the id the client asked for. */
  private async bringBack(
    client: acp.AgentContext,
    params: { sessionId: string; cwd: string; additionalDirectories?: string[]; mcpServers: McpServer[] },
  ): Promise<{ session: AgentSession; records: StoredRecord[] }> {
    if (!path.isAbsolute(params.cwd))
      throw acp.RequestError.invalidParams(
        { field: 'cwd' },
        `cwd must be an absolute path, got "${params.cwd}"`,
      );
    const store = this.store();
    // A client may still hold the id of a session that was since compacted: continue the newest.
    let leaf = await store.getSession(params.sessionId);
    if (!leaf) throw acp.RequestError.resourceNotFound(params.sessionId);
    for (let child = await store.childOf(leaf.id); child; child = await store.childOf(leaf.id)) leaf = child;
    await this.closeLive(params.sessionId);

    const chain = await this.chain(leaf.id);
    const own = await store.readSession(leaf.id);
    // The client sees the whole conversation; the model continues from the newest part.
    const shown: StoredRecord[] = [];
    for (const s of chain.slice(0, -1)) shown.push(...(await store.readSession(s.id)));
    shown.push(...own);

    const session = await this.deps.restore(client, {
      id: params.sessionId,
      cwd: path.resolve(params.cwd),
      additionalDirectories: params.additionalDirectories ?? [],
      mcpServers: params.mcpServers,
      createdAt: new Date(chain[0]!.createdAt),
      // The configured model, not the stored one: the endpoint may have changed since.
      earlier: conversationFromRecords(own),
    });
    session.title = leaf.title;
    this.deps.sessions.set(session.id, session);
    this.record(session, leaf.id);
    return { session, records: shown };
  }
}

function sessionInfo(s: SessionMeta): acp.SessionInfo {
  return {
    sessionId: s.id,
    cwd: s.cwd,
    title: s.title ?? null,
    updatedAt: new Date(s.updatedAt).toISOString(),
  };
}
