import { estimateTokens, shouldCompact } from '../core/compaction.js';
import { Conversation } from '../core/conversation.js';
import type { TurnOutcome } from '../core/events.js';
import type { ChatMessage } from '../core/messages.js';
import type { ModelClient, TokenUsage } from '../core/model-client.js';
import type { ToolRunner } from '../core/tool-runner.js';
import { runTurn } from '../core/turn.js';
import type { HistoryStore } from '../history/index.js';
import type { SessionMode } from '../permissions/policy.js';
import { compactConversation } from './session-compaction.js';
import type { CommandInfo, SessionEvent, SessionEventListener } from './session-events.js';
import { SessionRecording, titleFromConversation } from './session-recording.js';
import { parseSlashCommand, type SlashCommand } from './slash-commands.js';

/** Used when neither config nor provider tells the context window. */
export const DEFAULT_CONTEXT_WINDOW = 128_000;

export type UserMessage = Extract<ChatMessage, { role: 'user' }>;

/** The model is not usable (no endpoint, model or key): the client should show how to fix it. */
export class ModelNotConfiguredError extends Error {
  override name = 'ModelNotConfiguredError';
  constructor(
    readonly problem: string,
    readonly hint: string,
  ) {
    super(`${problem} ${hint}`);
  }
}

/** A prompt waiting for the running turn to end; `start` hands it the turn, or undefined when cancelled. */
interface QueuedPrompt {
  start: (turn: AbortController | undefined) => void;
}

export interface AgentSessionInit {
  id: string;
  cwd: string;
  additionalDirectories: string[];
  createdAt: Date;
  systemPrompt: string;
  earlier?: ChatMessage[];
  mode: SessionMode;
  /** Either a model, or why there is none. */
  model: ModelClient | ModelNotConfiguredError;
  /** Builds a model client for another model id (the client's model picker). */
  switchModel?: (modelId: string) => ModelClient;
  modelChoices: string[];
  tools: ToolRunner;
  maxTurnRequests: number;
  /** Runs before each turn (e.g. start MCP servers lazily); returns notices for the user. */
  beforeTurn?: (signal: AbortSignal) => Promise<string[]>;
  /** Stop everything the session started (commands, background processes, servers). */
  onCancel?: () => Promise<void>;
  onClose?: () => Promise<void>;
  /** One line describing where commands run, for `/status`. */
  terminalDescription: string;
  statusLines?: () => string[];
  /** Slash commands offered to the client (built-in and from features such as skills). */
  commands?: () => SlashCommand[];
  /** Subscribes to changes of the command list (a skill saved or removed); returns the unsubscribe. */
  onCommandsChanged?: (listener: () => void) => () => void;
  /** A name it already has (a session brought back from history). */
  title?: string;
  log?: (line: string) => void;
}

/**
 * A live session: conversation, mode, model and tools, and its lifecycle: recording to
 * history, compaction, titles, usage and the command list. Transport-neutral: ACP, the CLI,
 * job and batch runners and tests drive it the same way — `prompt()` runs a turn (or a slash
 * command), and everything that happens is told to `subscribe()`rs as `SessionEvent`s.
 */
export class AgentSession {
  readonly id: string;
  readonly cwd: string;
  readonly additionalDirectories: string[];
  readonly createdAt: Date;
  readonly conversation: Conversation;
  private currentTitle: string | undefined;
  private currentMode: SessionMode;
  private model: ModelClient | ModelNotConfiguredError;
  private running: AbortController | undefined;
  /** Prompts that arrived while a turn ran, oldest first: each runs when the one before ends. */
  private readonly queue: QueuedPrompt[] = [];
  private closed = false;
  private readonly listeners = new Set<SessionEventListener>();
  private recording: SessionRecording | undefined;
  /** Context in use after the last model request, for compaction; reset by a compaction. */
  private contextUsed: { tokens: number; window?: number } | undefined;
  private readonly stopWatchingCommands: (() => void) | undefined;
  private readonly log: (line: string) => void;

  constructor(private readonly init: AgentSessionInit) {
    this.id = init.id;
    this.cwd = init.cwd;
    this.additionalDirectories = init.additionalDirectories;
    this.createdAt = init.createdAt;
    this.conversation = new Conversation(init.systemPrompt, init.earlier);
    this.currentMode = init.mode;
    this.model = init.model;
    this.currentTitle = init.title;
    this.log = init.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.stopWatchingCommands = init.onCommandsChanged?.(() =>
      this.emit({ type: 'commands_changed', commands: this.commandList() }),
    );
  }

  /** Hears every event of the session from now on; returns the unsubscribe. */
  subscribe(listener: SessionEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Records the session into `store` from now on, under `historyId` (its own id when new;
   * the newest session of its chain when brought back). `create`: write the history session
   * first. A store that refuses it is logged; the session goes on unrecorded.
   */
  async recordTo(
    store: HistoryStore,
    historyId: string,
    create?: { cwd: string; createdAt: Date; model?: string },
  ): Promise<void> {
    await this.recording?.stop();
    this.recording = await SessionRecording.start({
      store,
      historyId,
      conversation: this.conversation,
      log: this.log,
      ...(create ? { create } : {}),
    });
  }

  /** The history session written to now (changes after a compaction); undefined when unrecorded. */
  get historyId(): string | undefined {
    return this.recording?.historyId;
  }

  get title(): string | undefined {
    return this.currentTitle;
  }

  get mode(): SessionMode {
    return this.currentMode;
  }

  setMode(mode: SessionMode): void {
    this.currentMode = mode;
  }

  get modelId(): string | undefined {
    return this.model instanceof ModelNotConfiguredError ? undefined : this.model.modelId;
  }

  get modelChoices(): string[] {
    return this.init.modelChoices;
  }

  get contextWindow(): number | undefined {
    return this.model instanceof ModelNotConfiguredError ? undefined : this.model.contextWindow;
  }

  /** Switches the model; stored with the session so loading it brings the choice back. */
  async setModel(modelId: string): Promise<void> {
    if (!this.init.switchModel) throw new Error('This session cannot switch models.');
    this.model = this.init.switchModel(modelId);
    await this.recording?.setModel(modelId);
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  /** Throws ModelNotConfiguredError before anything is recorded when no model is usable. */
  requireModel(): ModelClient {
    if (this.model instanceof ModelNotConfiguredError) throw this.model;
    return this.model;
  }

  /**
   * Runs a prompt: a slash command the session knows, or a turn of the model (compacting first
   * when the context is nearly full). Events go to subscribers; resolves with how it ended.
   * A prompt that arrives while a turn runs is queued (a `queued` event) and runs when the
   * turns before it end; `cancel()` answers the queued ones `cancelled`. Throws before anything
   * is recorded when the model is not configured (`ModelNotConfiguredError`).
   */
  async prompt(message: UserMessage): Promise<TurnOutcome> {
    if (this.closed) throw new Error('This session is closed.');
    const command = typeof message.content === 'string' ? parseSlashCommand(message.content) : undefined;
    const known = command && this.commands.find((c) => c.name === command.name);
    if (known && command) {
      const result = await known.run(this, command.args);
      if ('reply' in result) {
        this.emit({ type: 'command_reply', command: known.name, text: result.reply });
        return { stopReason: 'end_turn' };
      }
      message = { ...message, content: result.prompt };
    }
    const model = this.requireModel();
    const controller = this.running ? await this.waitInQueue() : new AbortController();
    if (!controller) return { stopReason: 'cancelled' };
    this.running = controller;
    try {
      await this.compactIfNeeded(model);
      if (this.init.beforeTurn) {
        for (const notice of await this.init.beforeTurn(controller.signal)) {
          this.emit({ type: 'notice', severity: 'warning', message: notice });
        }
      }
      this.conversation.append(message);
      const turn = runTurn({
        conversation: this.conversation,
        model,
        tools: this.init.tools,
        signal: controller.signal,
        maxModelRequests: this.init.maxTurnRequests,
      });
      let usage: TokenUsage | undefined;
      let step = await turn.next();
      while (!step.done) {
        const event = step.value;
        this.recording?.observe(event);
        if (event.type === 'usage') {
          usage = event.usage;
          this.contextUsed = { tokens: usage.inputTokens + usage.outputTokens, window: event.contextWindow };
        } else this.emit(event);
        step = await turn.next();
      }
      await this.turnEnded(usage);
      return step.value;
    } finally {
      this.running = undefined;
      this.startNextQueued();
    }
  }

  /** How many prompts wait for the running turn. */
  get queuedPrompts(): number {
    return this.queue.length;
  }

  private waitInQueue(): Promise<AbortController | undefined> {
    return new Promise((start) => {
      this.queue.push({ start });
      this.emit({ type: 'queued', position: this.queue.length });
    });
  }

  /** The turn is reserved for the next prompt at once, so a newcomer queues behind it. */
  private startNextQueued(): void {
    const next = this.queue.shift();
    if (!next) return;
    this.running = new AbortController();
    next.start(this.running);
  }

  /** The queued prompts end without running (cancel, close). */
  private cancelQueued(): void {
    for (const waiting of this.queue.splice(0)) waiting.start(undefined);
  }

  /** `/compact`: summarises the older turns now. Returns what to tell the user. */
  async compact(): Promise<string> {
    return compactConversation({
      conversation: this.conversation,
      model: this.requireModel(),
      recording: this.recording,
      cwd: this.cwd,
      ...(this.title ? { title: this.title } : {}),
      ...(this.modelId ? { modelId: this.modelId } : {}),
      emit: (event) => {
        if (event.type === 'compacted') this.contextUsed = undefined;
        this.emit(event);
      },
    });
  }

  /** Before a turn: compacts when the last one left the context window nearly full. */
  private async compactIfNeeded(model: ModelClient): Promise<void> {
    const used = this.contextUsed;
    // Servers that report no usage (some local ones) get an estimate from the text itself.
    const tokens = used?.tokens ?? estimateTokens(this.conversation.systemPrompt, this.conversation.messages);
    const window = model.contextWindow ?? used?.window ?? DEFAULT_CONTEXT_WINDOW;
    if (shouldCompact(tokens, window)) await this.compact();
  }

  /**
   * After a turn: everything it produced is durable before the caller hears the outcome; the
   * first exchange names the session; the context in use is reported.
   */
  private async turnEnded(usage: TokenUsage | undefined): Promise<void> {
    const recorded = this.recording ? await this.recording.endTurn(this.id) : false;
    if (recorded && !this.currentTitle) {
      const title = titleFromConversation(this.conversation.messages);
      if (title) {
        this.currentTitle = title;
        await this.recording!.setTitle(title);
        this.emit({ type: 'title_changed', title });
      }
    }
    // A model that reports no usage gets an estimate from the text.
    this.emit({
      type: 'usage',
      usedTokens: usage
        ? usage.inputTokens + usage.outputTokens
        : estimateTokens(this.conversation.systemPrompt, this.conversation.messages),
      contextWindow: this.contextWindow ?? DEFAULT_CONTEXT_WINDOW,
      estimated: !usage,
    });
  }

  private emit(event: SessionEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.log(`cairn: a listener of session ${this.id} failed: ${(err as Error).stack ?? String(err)}`);
      }
    }
  }

  /** Stops the running turn (the model stream, running commands, pending approvals) and answers the queued prompts `cancelled`. */
  async cancel(): Promise<void> {
    this.cancelQueued();
    this.running?.abort();
    await this.init.onCancel?.();
  }

  get commands(): SlashCommand[] {
    return this.init.commands?.() ?? [];
  }

  /** The commands as a front end lists them. */
  commandList(): CommandInfo[] {
    return this.commands.map((c) => ({
      name: c.name,
      description: c.description,
      ...(c.hint ? { hint: c.hint } : {}),
    }));
  }

  statusLines(): string[] {
    return [
      `Session: ${this.id}`,
      `Workspace: ${this.cwd}`,
      `Mode: ${this.currentMode}`,
      `Model: ${this.modelId ?? 'not configured'}`,
      `Terminal: ${this.init.terminalDescription}`,
      ...(this.init.statusLines?.() ?? []),
    ];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cancelQueued();
    this.running?.abort();
    this.stopWatchingCommands?.();
    await this.recording?.stop();
    await this.init.onClose?.();
  }
}
