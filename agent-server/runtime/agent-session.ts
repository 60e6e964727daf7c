import { estimateTokens, shouldCompact } from '../core/compaction.js';
import { Conversation } from '../core/conversation.js';
import type { TurnOutcome } from '../core/events.js';
import { userText, type ChatMessage } from '../core/messages.js';
import type { ModelClient, TokenUsage } from '../core/model-client.js';
import { runTurn } from '../core/turn.js';
import type { HistoryStore, SessionOrigin } from '../history/index.js';
import type { SessionSettings } from '../history/types.js';
import type { SessionMode } from '../permissions/policy.js';
import { PromptQueue, type QueuedPromptInfo } from './prompt-queue.js';
import { compactConversation } from './session-compaction.js';
import type { CommandInfo, SessionEvent, SessionEventListener } from './session-events.js';
import { SessionRecording, titleFromConversation } from './session-recording.js';
import { parseSlashCommand, type SlashCommand } from './slash-commands.js';
import type { SessionModelControls } from './session-model.js';
import type { AgentSessionInit, SessionParts } from './session-init.js';
import { addUsage, emptyUsage, type UsageTotals } from './session-usage.js';
import { SteeringMessages } from './steering.js';

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

/** How a prompt ended; `steered`: it was a `/steer` handed to the running turn, not a turn of its own. */
export type PromptOutcome = TurnOutcome & {
  steered?: boolean;
  /** Tokens (and cost, when known) of this prompt's turn. */
  usage?: UsageTotals;
};

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
  private readonly queue = new PromptQueue((queued) => this.emit({ type: 'queue_changed', queued }));
  /** `/steer` messages waiting for the running turn's next model request. */
  private readonly steering = new SteeringMessages();
  /** Values of config options other than mode and model (e.g. reasoning effort), by option id. */
  private readonly configValues: Record<string, string> = {};
  /** Every model request's tokens and cost since the session started (this process). */
  private readonly sessionUsage = emptyUsage();
  private closed = false;
  private readonly listeners = new Set<SessionEventListener>();
  private recording: SessionRecording | undefined;
  /** Context in use after the last model request, for compaction; reset by a compaction. */
  private contextUsed: { tokens: number; window?: number } | undefined;
  private stopWatchingCommands: (() => void) | undefined;
  /** Set once `ready()` has built them. */
  private parts: SessionParts | undefined;
  private preparing: Promise<SessionParts> | undefined;
  /** How many times `cancel()` was called: prompts waiting for `ready()` compare it. */
  private cancels = 0;
  private readonly log: (line: string) => void;

  constructor(private readonly init: AgentSessionInit) {
    this.id = init.id;
    this.cwd = init.cwd;
    this.additionalDirectories = init.additionalDirectories;
    this.createdAt = init.createdAt;
    this.conversation = new Conversation(undefined, init.earlier);
    this.currentMode = init.mode;
    this.model = init.model;
    this.currentTitle = init.title;
    this.log = init.log ?? ((line) => process.stderr.write(`${line}\n`));
  }

  /**
   * Resolves when the session can run turns: its parts built (once; a failure is retried by
   * the next call). Prompts wait for it; `warmUp()` starts it once the client has its answer.
   */
  ready(): Promise<SessionParts> {
    // A closed session builds nothing (what it built would never be stopped).
    if (this.closed && !this.preparing) return Promise.reject(new Error('This session is closed.'));
    this.preparing ??= this.init.prepare(this).then(
      (parts) => {
        this.conversation.fixSystemPrompt(parts.systemPrompt);
        this.parts = parts;
        this.stopWatchingCommands = parts.onCommandsChanged?.(() =>
          this.emit({ type: 'commands_changed', commands: this.commandList() }),
        );
        return parts;
      },
      (err: unknown) => {
        this.preparing = undefined;
        throw err;
      },
    );
    return this.preparing;
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
    create?: { cwd: string; createdAt: Date; model?: string; origin?: SessionOrigin },
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

  /** Switches the mode; stored with the session so loading it brings the choice back. */
  async setMode(mode: SessionMode): Promise<void> {
    this.currentMode = mode;
    await this.saveSettings();
  }

  /** The value set for a config option other than mode and model, if any. */
  configValue(optionId: string): string | undefined {
    return this.configValues[optionId];
  }

  /** Sets a config option other than mode and model; stored with the session. */
  async setConfigValue(optionId: string, value: string): Promise<void> {
    this.configValues[optionId] = value;
    await this.saveSettings();
  }

  /** What load and resume bring back: mode, model and the other config options. */
  get settings(): SessionSettings {
    return {
      mode: this.currentMode,
      ...(this.modelId ? { model: this.modelId } : {}),
      ...(Object.keys(this.configValues).length ? { config: { ...this.configValues } } : {}),
    };
  }

  /** Config option values stored with a session brought back (mode and model are restored on their own). */
  restoreConfig(values: Record<string, string>): void {
    Object.assign(this.configValues, values);
  }

  /** History keeps the settings; a store that refuses them is logged, the session goes on. */
  private async saveSettings(): Promise<void> {
    await this.recording?.saveSettings(this.settings).catch((err: unknown) => {
      this.log(`cairn: settings of session ${this.id} not stored: ${(err as Error).message}`);
    });
  }

  get modelId(): string | undefined {
    return this.model instanceof ModelNotConfiguredError ? undefined : this.model.modelId;
  }

  get modelChoices(): string[] {
    return this.init.modelChoices;
  }

  /** Tokens and cost of the session so far. */
  get usage(): UsageTotals {
    return { ...this.sessionUsage };
  }

  get modelControls(): SessionModelControls | undefined {
    return this.init.modelControls;
  }

  /** Starts building the session and its background checks (call once the client has its answer). */
  warmUp(): void {
    this.init.warmUp?.();
    this.ready().catch((err: unknown) =>
      this.log(`cairn: session ${this.id} could not be prepared: ${(err as Error).message ?? String(err)}`),
    );
  }

  /** Counts one model request's usage in the turn's and the session's totals. */
  private tally(turn: UsageTotals, usage: TokenUsage): TokenUsage {
    addUsage(turn, usage);
    addUsage(this.sessionUsage, usage);
    return usage;
  }

  get contextWindow(): number | undefined {
    return this.model instanceof ModelNotConfiguredError ? undefined : this.model.contextWindow;
  }

  /** Switches the model; stored with the session so loading it brings the choice back. */
  async setModel(modelId: string): Promise<void> {
    if (!this.init.switchModel) throw new Error('This session cannot switch models.');
    this.model = this.init.switchModel(modelId);
    await this.recording?.setModel(modelId);
    await this.saveSettings();
  }

  /** Renames the session (history keeps it; subscribers hear `title_changed`). */
  async setTitle(title: string): Promise<void> {
    const trimmed = title.replace(/\s+/g, ' ').trim();
    if (!trimmed) throw new Error('A title needs some text.');
    this.currentTitle = trimmed;
    await this.recording?.setTitle(trimmed);
    this.emit({ type: 'title_changed', title: trimmed });
  }

  /** Resolves when everything recorded so far is in history (before a fork copies it). */
  async flushHistory(): Promise<void> {
    await this.recording?.flush();
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
   * A prompt that arrives while a turn runs is queued (`queued` and `queue_changed` events) and
   * runs when the turns before it end; `cancel()` answers the queued ones `cancelled`. A `/steer`
   * during a turn is handed to that turn (`steered: true`) instead. Throws before anything is
   * recorded when the model is not configured (`ModelNotConfiguredError`).
   */
  async prompt(message: UserMessage): Promise<PromptOutcome> {
    if (this.closed) throw new Error('This session is closed.');
    // Once ready, nothing is awaited before queueing: a prompt is queued the moment it arrives.
    let parts = this.parts;
    if (!parts) {
      const cancels = this.cancels;
      parts = await this.ready();
      if (this.closed) throw new Error('This session is closed.');
      // Cancelled while the session was still being built: it never runs.
      if (this.cancels !== cancels) return { stopReason: 'cancelled' };
    }
    const command = typeof message.content === 'string' ? parseSlashCommand(message.content) : undefined;
    const known = command && this.commands.find((c) => c.name === command.name);
    if (known && command) {
      const result = await known.run(this, command.args);
      if ('reply' in result) {
        this.emit({ type: 'command_reply', command: known.name, text: result.reply });
        return { stopReason: 'end_turn' };
      }
      if ('steer' in result && this.running) {
        this.steering.add(result.steer);
        return { stopReason: 'end_turn', steered: true };
      }
      message = { ...message, content: 'steer' in result ? result.steer : result.prompt };
    }
    const model = this.requireModel();
    let controller: AbortController | undefined;
    if (this.running) {
      const waiting = this.queue.wait(userText(message.content));
      this.emit({ type: 'queued', position: this.queue.length });
      controller = await waiting;
    } else controller = new AbortController();
    if (!controller) return { stopReason: 'cancelled' };
    this.running = controller;
    let outcome: TurnOutcome | undefined;
    try {
      await this.compactIfNeeded(model);
      if (parts.beforeTurn) {
        for (const notice of await parts.beforeTurn(controller.signal)) {
          this.emit({ type: 'notice', severity: 'warning', message: notice });
        }
      }
      this.conversation.append(message);
      const steered = this.steering.deliverBefore(model, this.conversation, (text) =>
        this.emit({ type: 'steered', text }),
      );
      let usage: TokenUsage | undefined;
      const turnUsage = emptyUsage();
      // A steer that came after the model's last request still reaches it: the turn goes on.
      do {
        const turn = runTurn({
          conversation: this.conversation,
          model: steered,
          tools: parts.tools,
          signal: controller.signal,
          maxModelRequests: this.init.maxTurnRequests,
        });
        let step = await turn.next();
        while (!step.done) {
          const event = step.value;
          this.recording?.observe(event);
          if (event.type === 'usage') {
            usage = this.tally(turnUsage, event.usage);
            this.contextUsed = {
              tokens: usage.inputTokens + usage.outputTokens,
              window: event.contextWindow,
            };
          } else this.emit(event);
          step = await turn.next();
        }
        outcome = step.value;
      } while (outcome.stopReason === 'end_turn' && !outcome.error && this.steering.size > 0);
      await this.turnEnded(usage);
      return { ...outcome, usage: turnUsage };
    } finally {
      this.dropSteering(outcome);
      this.running = this.queue.startNext();
    }
  }

  /** Steered messages the turn ended before delivering: the user is told they were not seen. */
  private dropSteering(outcome: TurnOutcome | undefined): void {
    const reason =
      outcome?.stopReason === 'cancelled'
        ? 'the turn was cancelled'
        : outcome?.error || !outcome
          ? 'the turn failed'
          : `the turn stopped (${outcome.stopReason})`;
    for (const text of this.steering.take()) this.emit({ type: 'steer_dropped', text, reason });
  }

  /** How many prompts wait for the running turn. */
  get queuedPrompts(): number {
    return this.queue.length;
  }

  /** The prompts waiting for the running turn, next first. */
  get queued(): QueuedPromptInfo[] {
    return this.queue.list();
  }

  /** Withdraws a waiting prompt (it is answered `cancelled`); false when there is none at `index`. */
  removeQueued(index: number): boolean {
    return this.queue.remove(index);
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
      ...(this.sessionUsage.costUsd !== undefined ? { costUsd: this.sessionUsage.costUsd } : {}),
    });
  }

  /** Tells subscribers an event from a part of the session outside the turn (checkpoints). */
  announce(event: SessionEvent): void {
    this.emit(event);
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
    this.cancels++;
    this.queue.cancelAll();
    this.running?.abort();
    await this.parts?.onCancel?.();
  }

  /** Empty until the session is ready (front ends announce the list once `ready()` resolves). */
  get commands(): SlashCommand[] {
    return this.parts?.commands?.() ?? [];
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
      `Terminal: ${this.parts?.terminalDescription ?? 'not started yet'}`,
      ...(this.parts?.statusLines?.() ?? []),
    ];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.queue.cancelAll();
    this.running?.abort();
    await this.recording?.stop();
    // Parts still being built are stopped once they are (close waits for that).
    const parts = this.parts ?? (await this.preparing?.catch(() => undefined));
    this.stopWatchingCommands?.();
    await parts?.onClose?.();
  }
}
