import { client, PROTOCOL_VERSION } from '@agentclientprotocol/sdk';
import type {
  AgentCapabilities,
  ClientConnection,
  NewSessionResponse,
  SessionNotification,
  Stream,
} from '@agentclientprotocol/sdk';
import type {
  CheckpointInfo,
  ContextItem,
  ReferenceKind,
  HostNotificationMethod,
  HostNotifications,
  HostState,
  ServerExit,
  WebviewRequestMethod,
  WebviewRequests,
} from '../shared/webview-protocol.js';
import { AgentRequests, type AgentRequestsEnvironment } from './agent-requests.js';
import { imageNotice, promptBlocks } from './prompt-content.js';
import { SessionView } from './session-view.js';
import { DelegatedChildren, readDelegateChild } from './delegated-children.js';
import { listedOrigin } from './session-origin.js';
import {
  DELEGATE_CANCEL_METHOD,
  DELEGATE_CHILD_METHOD,
  type DelegateCancelResponse,
} from '../shared/delegation-protocol.js';
import { PromptFlow } from './prompt-flow.js';
import { acpErrorMessage } from './acp-error.js';
import { ConversationControl, sessionCapability, type CheckpointViewer } from './conversation-control.js';

/** A started agent: its ACP stream and how it ends. */
export type LaunchedAgent = { stream: Stream; exited: Promise<ServerExit>; stop(): void };

/** What the chat host needs from the editor (the VS Code adapters, or fakes in tests). */
export interface ChatHostEnvironment extends AgentRequestsEnvironment {
  launchAgent(): Promise<LaunchedAgent>;
  hasApiKey(): Promise<boolean>;
  mentionFiles(query: string, limit: number): Promise<{ path: string; relPath: string }[]>;
  mentionFolders(query: string, limit: number): Promise<{ path: string; relPath: string }[]>;
  /** Gathers `@problems`, `@terminal`, `@git-changes` or `@folder` (rejects with a message for the user). */
  resolveReference(ref: ReferenceKind, path?: string): Promise<Extract<ContextItem, { kind: 'reference' }>>;
  openLocation(path: string, line: number | null): Promise<void>;
  runCommand(command: 'setApiKey' | 'openSettings' | 'showLog'): Promise<void>;
  /** Shows what a checkpoint restore would change (VS Code's diff editors). */
  checkpoints: CheckpointViewer;
}

type Handlers = {
  [M in WebviewRequestMethod]: (
    params: WebviewRequests[M]['params'],
  ) => Promise<WebviewRequests[M]['result']>;
};

export type Connected = {
  connection: ClientConnection;
  agent: LaunchedAgent;
  capabilities: AgentCapabilities;
};

/**
 * The host end of the chat: owns the agent process's ACP connection, the current session, and
 * the cards waiting on the user; serves the webview's requests and tells it what changed.
 */
export class ChatHost {
  readonly session = new SessionView();
  /** The open session's delegated children, as the agent reports them. */
  private readonly children = new DelegatedChildren();
  private connected: Connected | null = null;
  private starting: Promise<Connected> | null = null;
  private creatingSession: Promise<void> | null = null;
  private exit: ServerExit | null = null;
  /** The prompts the agent holds (the running one, those queued behind it) and steers. */
  private readonly flow: PromptFlow;
  private readonly control: ConversationControl;
  private hasKey = false;
  private readonly requests: AgentRequests;
  private sink: (<M extends HostNotificationMethod>(method: M, params: HostNotifications[M]) => void) | null =
    null;
  private readonly stateListeners = new Set<(state: HostState) => void>();
  private viewReady = false;
  private readonly knownTitles = new Map<string, string>();
  private pendingContext: ContextItem[] = [];

  constructor(private readonly env: ChatHostEnvironment) {
    this.requests = new AgentRequests(env, {
      notify: (method, params) => this.notify(method, params),
      stateChanged: () => this.stateChanged(),
      reportError: (err) => this.reportError(err),
      editToolCallFor: (path) => this.session.editToolCallFor(path),
    });
    this.flow = new PromptFlow({
      session: this.session,
      notify: (method, params) => this.notify(method, params),
      stateChanged: () => this.stateChanged(),
      turnEnded: () => this.control.turnEnded(),
    });
    this.control = new ConversationControl(env.checkpoints, {
      session: this.session,
      current: () => this.connected,
      connected: () => this.ensureSession(),
      busy: () => this.flow.busy,
      leaveSession: () => this.cancelTurn(),
      switchTo: (c, sessionId, res) => this.loadInto(c, sessionId, 'fork', res),
      notify: (method, params) => this.notify(method, params),
      stateChanged: () => this.stateChanged(),
      rememberTitle: (sessionId, title) => this.knownTitles.set(sessionId, title),
      workspace: () => this.requireWorkspace(),
      log: (line) => env.log(line),
    });
  }

  /** Connects the webview's notification channel (null when the view is gone). */
  attachView(sink: typeof this.sink): void {
    this.sink = sink;
    this.viewReady = false;
  }

  /**
   * Starts the server and the first session now (the chat view opened), so they are ready by the
   * time the webview has loaded and the user types; failures show in the panel.
   */
  warmUp(): void {
    void this.ensureSession().catch((err) => this.reportError(err));
  }

  /** "Add selection / file to chat": straight to the composer, or once the webview is ready. */
  addContext(item: ContextItem): void {
    this.pendingContext.push(item);
    if (this.viewReady) this.flushContext();
  }

  onStateChange(listener: (state: HostState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  get state(): HostState {
    const caps = this.connected?.capabilities;
    return {
      activity: this.activity(),
      sessionId: this.session.sessionId,
      sessionTitle: this.session.title,
      modes: this.session.modes,
      configOptions: this.session.configOptions,
      commands: this.session.commands,
      exit: this.exit,
      hasApiKey: this.hasKey,
      canListSessions: !!caps?.sessionCapabilities?.list,
      canLoadSessions: !!caps?.loadSession,
      embeddedContext: !!caps?.promptCapabilities?.embeddedContext,
      images: !!caps?.promptCapabilities?.image,
      workspaceRoot: this.env.workspaceRoot(),
      queue: this.flow.waiting(),
      canSteer: this.session.commands.some((c) => c.name === 'steer'),
      canFork: sessionCapability(caps, 'fork'),
      canRename: sessionCapability(caps, 'title') || this.session.commands.some((c) => c.name === 'title'),
    };
  }

  /** The requests the webview may send, by method. */
  readonly handlers: Handlers = {
    ready: async () => {
      this.hasKey = await this.env.hasApiKey();
      void this.ensureSession().catch((err) => this.reportError(err));
      this.viewReady = true;
      // After the reply, so the panel has drawn itself first.
      if (this.pendingContext.length) setTimeout(() => this.flushContext(), 0);
      return {
        state: this.state,
        permissions: this.requests.permissions.list(),
        reviews: this.requests.reviews.list(),
        transcript: this.session.transcript,
        children: this.children.of(this.session.sessionId),
        checkpoints: this.control.checkpoints,
      };
    },
    prompt: async ({ text, context, mode }) => {
      const { connection, capabilities } = await this.ensureSession();
      const sessionId = this.session.sessionId!;
      if (mode === 'steer' && this.flow.busy)
        return await this.flow.steer(connection, sessionId, text, context);
      const images = !!capabilities.promptCapabilities?.image;
      const blocks = await promptBlocks(text, context, {
        embeddedContext: !!capabilities.promptCapabilities?.embeddedContext,
        images,
        readText: (p) => this.env.readText(p),
      });
      const dropped = imageNotice(context, images);
      if (dropped) this.notify('notice', { level: 'warning', message: dropped });
      // Sent at once even while a turn runs: the agent queues it and runs it when the turn ends.
      return await this.flow.send(connection, { sessionId, text, context, blocks });
    },
    cancel: async ({ queued }) => {
      await this.cancelTurn(queued === 'keep');
      this.stateChanged();
      return null;
    },
    newChat: async () => {
      await this.cancelTurn();
      const { connection } = await this.ensureConnected();
      const cwd = this.requireWorkspace();
      const res = await connection.agent.request('session/new', { cwd, mcpServers: [] });
      this.session.reset(res.sessionId, res);
      this.notify('chat/reset', { sessionId: res.sessionId, reason: 'new' });
      this.control.sessionChanged();
      this.stateChanged();
      return { sessionId: res.sessionId };
    },
    listSessions: async ({ cursor }) => {
      const { connection, capabilities } = await this.ensureConnected();
      if (!capabilities.sessionCapabilities?.list) return { sessions: [], nextCursor: null };
      const res = await connection.agent.request('session/list', {
        cwd: this.env.workspaceRoot(),
        cursor: cursor ?? null,
      });
      for (const s of res.sessions) if (s.title) this.knownTitles.set(s.sessionId, s.title);
      return {
        sessions: res.sessions.map((s) => ({
          sessionId: s.sessionId,
          title: s.title ?? null,
          updatedAt: s.updatedAt ?? null,
          cwd: s.cwd,
          ...listedOrigin(s._meta),
        })),
        nextCursor: res.nextCursor ?? null,
      };
    },
    loadSession: async ({ sessionId }) => {
      await this.cancelTurn();
      const connected = await this.ensureConnected();
      await this.loadInto(connected, sessionId, 'load');
      return null;
    },
    setMode: async ({ modeId }) => {
      const { connection } = await this.ensureSession();
      await connection.agent.request('session/set_mode', { sessionId: this.session.sessionId!, modeId });
      this.session.setMode(modeId);
      this.stateChanged();
      return null;
    },
    setConfigOption: async ({ configId, value }) => {
      const { connection } = await this.ensureSession();
      const sessionId = this.session.sessionId!;
      const res = await connection.agent.request(
        'session/set_config_option',
        typeof value === 'boolean'
          ? { sessionId, configId, type: 'boolean', value }
          : { sessionId, configId, value },
      );
      this.session.configOptions = res.configOptions;
      this.stateChanged();
      return null;
    },
    answerPermission: async ({ requestId, optionId }) => {
      this.requests.permissions.answer(requestId, optionId);
      return null;
    },
    acceptEdit: async ({ reviewId }) => {
      await this.requests.reviews.accept(reviewId);
      return null;
    },
    rejectEdit: async ({ reviewId }) => {
      this.requests.reviews.reject(reviewId);
      return null;
    },
    showReview: async ({ reviewId }) => {
      const review = this.requests.reviews.get(reviewId);
      if (!review) throw new Error('This edit review is no longer pending.');
      await this.env.reviews.show(review);
      return null;
    },
    openLocation: async ({ path, line }) => {
      await this.env.openLocation(path, line ?? null);
      return null;
    },
    mentionFiles: async ({ query, limit }) => {
      const [files, folders] = await Promise.all([
        this.env.mentionFiles(query, limit ?? 50),
        this.env.mentionFolders(query, 5),
      ]);
      return { files, folders };
    },
    resolveReference: async ({ ref, path }) => ({ item: await this.env.resolveReference(ref, path) }),
    restartAgent: async () => {
      await this.restart();
      return null;
    },
    runCommand: async ({ command }) => {
      await this.env.runCommand(command);
      return null;
    },
    stopChild: async ({ childSessionId }) => {
      const sessionId = this.children.parentOf(childSessionId);
      if (!sessionId || !this.connected) return { cancelled: false };
      const res = await this.connected.connection.agent.request<DelegateCancelResponse>(
        DELEGATE_CANCEL_METHOD,
        { sessionId, childSessionId },
      );
      return { cancelled: res.cancelled === true };
    },
    removeQueued: async ({ id }) => {
      await this.flow.remove(this.connected?.connection ?? null, id);
      return null;
    },
    forkSession: ({ userMessage, text }) => this.control.fork(userMessage, text),
    renameSession: async ({ sessionId, title }) => {
      await this.control.rename(sessionId, title);
      return null;
    },
    previewCheckpoint: ({ checkpointId }) => this.control.preview(checkpointId),
    showCheckpointDiff: async ({ checkpointId, path }) => {
      await this.control.showDiff(checkpointId, path);
      return null;
    },
    restoreCheckpoint: ({ checkpointId, conversation, text }) =>
      this.control.restore(checkpointId, conversation, text ?? null),
  };

  /** Pending review ids, oldest first (for the Accept / Reject commands without a diff in focus). */
  pendingReviewIds(): string[] {
    return this.requests.reviews.list().map((r) => r.reviewId);
  }

  async refreshApiKeyState(): Promise<void> {
    this.hasKey = await this.env.hasApiKey();
    this.stateChanged();
  }

  /** Stops the server and starts it again, reloading the current session when the agent can. */
  async restart(): Promise<void> {
    const previous = this.session.sessionId;
    await this.stop();
    const connected = await this.ensureConnected();
    if (previous && connected.capabilities.loadSession) {
      try {
        await this.loadInto(connected, previous, 'restart');
        return;
      } catch (err) {
        this.reportError(
          new Error(`Could not reload the session (${acpErrorMessage(err)}); starting a new chat.`),
        );
        this.session.sessionId = null;
      }
    }
    await this.ensureSession();
  }

  async stop(): Promise<void> {
    const c = this.connected ?? (await this.starting?.catch(() => null));
    if (!c) return;
    c.agent.stop();
    await c.agent.exited;
  }

  dispose(): void {
    this.requests.terminals.disposeAll();
    this.connected?.agent.stop();
  }

  // -------------------------------------------------------------------------

  private async ensureSession(): Promise<Connected> {
    const connected = await this.ensureConnected();
    // One session/new however many callers (view warm-up, ready, a first prompt) ask at once.
    if (!this.session.sessionId) {
      this.creatingSession ??= this.createSession(connected).finally(() => (this.creatingSession = null));
      await this.creatingSession;
    }
    return connected;
  }

  private async createSession(connected: Connected): Promise<void> {
    const res = await connected.connection.agent.request('session/new', {
      cwd: this.requireWorkspace(),
      mcpServers: [],
    });
    if (!this.session.sessionId) {
      this.session.reset(res.sessionId, res);
      this.notify('chat/reset', { sessionId: res.sessionId, reason: 'new' });
      this.control.sessionChanged();
      this.stateChanged();
    }
  }

  private ensureConnected(): Promise<Connected> {
    if (this.connected) return Promise.resolve(this.connected);
    if (!this.starting) {
      this.starting = this.connect().finally(() => (this.starting = null));
      this.stateChanged();
    }
    return this.starting;
  }

  private async connect(): Promise<Connected> {
    this.exit = null;
    this.hasKey = await this.env.hasApiKey();
    const agent = await this.env.launchAgent();
    const connection = this.clientApp().connect(agent.stream);
    void agent.exited.then((exit) => this.onExit(connection, exit));
    try {
      const init = await connection.agent.request('initialize', {
        protocolVersion: PROTOCOL_VERSION,
        clientCapabilities: {
          fs: { readTextFile: true, writeTextFile: true },
          terminal: true,
          // Delegated tasks' sessions, shown live under their delegate call (_cairn/delegate/child).
          _meta: { cairn: { childSessions: true } },
        },
        clientInfo: { name: 'cairn-vscode', version: '0.1.0' },
      });
      this.connected = { connection, agent, capabilities: init.agentCapabilities ?? {} };
      this.stateChanged();
      return this.connected;
    } catch (err) {
      agent.stop();
      throw new Error(`The Cairn server did not start: ${acpErrorMessage(err)}`);
    }
  }

  private onExit(connection: ClientConnection, exit: ServerExit): void {
    this.env.log(`[cairn] server ended: ${exit.message}`);
    connection.close(new Error(exit.message));
    if (this.connected?.connection === connection) this.connected = null;
    this.exit = exit;
    this.flow.dropAll();
    this.requests.cancelAll();
    this.stateChanged();
  }

  /** Shows `sessionId` in the panel, replayed by `session/load` (`forked`: its session/fork answer). */
  private async loadInto(
    c: Connected,
    sessionId: string,
    reason: 'load' | 'restart' | 'fork',
    forked?: NewSessionResponse,
  ): Promise<void> {
    if (!c.capabilities.loadSession) throw new Error('This agent cannot resume sessions.');
    // The replay may not repeat the title: keep the one we know (restart) or were listed.
    const title = this.session.sessionId === sessionId ? this.session.title : this.knownTitles.get(sessionId);
    // Set first: the replayed updates arrive before the response.
    this.session.reset(sessionId, forked ?? null);
    this.session.title = title ?? null;
    this.notify('chat/reset', { sessionId, reason });
    this.control.sessionChanged();
    this.stateChanged();
    const res = await c.connection.agent.request('session/load', {
      sessionId,
      cwd: this.requireWorkspace(),
      mcpServers: [],
    });
    this.session.applyLoaded(res ?? null);
    this.stateChanged();
  }

  /** Stops the running turn; the queued prompts are dropped, or sent again after the stop (`keep`). */
  private async cancelTurn(keep = false): Promise<void> {
    const sessionId = this.session.sessionId;
    if (!sessionId) return;
    this.requests.permissions.cancelSession(sessionId);
    this.requests.reviews.cancelSession(sessionId);
    await this.flow.cancel(this.connected?.connection ?? null, sessionId, keep);
  }

  private clientApp() {
    const app = client({ name: 'cairn-vscode' })
      .onNotification('session/update', ({ params }) => this.onSessionUpdate(params))
      .onNotification('_cairn/queue', readQueueReport, ({ params }) => {
        this.flow.serverReported(params.sessionId, params.queued);
      })
      .onNotification('_cairn/checkpoint', readCheckpointNotice, ({ params }) =>
        this.control.checkpointRecorded(params.sessionId, params.checkpoint),
      );
    app.onNotification(DELEGATE_CHILD_METHOD, readDelegateChild, ({ params }) => {
      if (this.children.status(params, this.session.sessionId)) this.notify('child/status', params);
    });
    return this.requests.register(app);
  }

  private onSessionUpdate(n: SessionNotification): void {
    if (this.children.update(n)) return this.notify('child/update', n);
    if (!this.session.accept(n)) return;
    this.notify('session/update', n);
    const u = n.update;
    if (u.sessionUpdate === 'tool_call' || u.sessionUpdate === 'tool_call_update') {
      for (const c of u.content ?? []) if (c.type === 'terminal') this.requests.forwardTerminal(c.terminalId);
    }
    if (
      u.sessionUpdate === 'available_commands_update' ||
      u.sessionUpdate === 'current_mode_update' ||
      u.sessionUpdate === 'config_option_update' ||
      u.sessionUpdate === 'session_info_update'
    ) {
      this.stateChanged();
    }
  }

  private flushContext(): void {
    for (const item of this.pendingContext.splice(0)) this.notify('composer/addContext', item);
    this.notify('composer/focus', {});
  }

  private activity(): HostState['activity'] {
    if (this.exit && !this.connected && !this.starting) return 'stopped';
    if (!this.connected) return 'starting';
    if (this.requests.permissions.size > 0 || this.requests.reviews.size > 0) return 'awaiting_approval';
    return this.flow.busy ? 'working' : 'idle';
  }

  private requireWorkspace(): string {
    const root = this.env.workspaceRoot();
    if (!root) throw new Error('Open a folder first: Cairn works inside a workspace folder.');
    return root;
  }

  private notify<M extends HostNotificationMethod>(method: M, params: HostNotifications[M]): void {
    this.sink?.(method, params);
  }

  private stateChanged(): void {
    const state = this.state;
    this.notify('state', state);
    for (const l of this.stateListeners) l(state);
  }

  private reportError(err: unknown): void {
    const message = acpErrorMessage(err);
    this.env.log(`[cairn] ${message}`);
    this.notify('notice', { level: 'error', message });
    this.stateChanged();
  }
}

function readQueueReport(params: unknown): { sessionId: string; queued: { index: number }[] } {
  const p = params as { sessionId?: unknown; queued?: unknown };
  if (typeof p?.sessionId !== 'string' || !Array.isArray(p.queued)) throw new Error('invalid _cairn/queue');
  return { sessionId: p.sessionId, queued: p.queued.filter((q) => typeof q?.index === 'number') };
}

function readCheckpointNotice(params: unknown): { sessionId: string; checkpoint: CheckpointInfo } {
  const p = params as { sessionId?: unknown; checkpoint?: CheckpointInfo };
  if (typeof p?.sessionId !== 'string' || typeof p.checkpoint?.id !== 'string') {
    throw new Error('invalid _cairn/checkpoint');
  }
  return { sessionId: p.sessionId, checkpoint: p.checkpoint };
}
