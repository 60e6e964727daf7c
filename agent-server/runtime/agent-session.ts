import { Conversation } from '../core/conversation.js';
import type { TurnEvent, TurnOutcome } from '../core/events.js';
import type { ChatMessage } from '../core/messages.js';
import type { ModelClient } from '../core/model-client.js';
import type { ToolRunner } from '../core/tool-runner.js';
import { runTurn } from '../core/turn.js';
import type { SessionMode } from '../permissions/policy.js';
import type { SlashCommand } from './slash-commands.js';

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

export class TurnInProgressError extends Error {
  override name = 'TurnInProgressError';
  constructor() {
    super('A prompt is already running in this session; wait for it to finish or cancel it.');
  }
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
}

/**
 * A live session: conversation, mode, model and tools. Transport-neutral: ACP, the CLI and
 * tests drive it the same way.
 */
export class AgentSession {
  readonly id: string;
  readonly cwd: string;
  readonly additionalDirectories: string[];
  readonly createdAt: Date;
  readonly conversation: Conversation;
  title: string | undefined;
  private currentMode: SessionMode;
  private model: ModelClient | ModelNotConfiguredError;
  private running: AbortController | undefined;
  private closed = false;

  constructor(private readonly init: AgentSessionInit) {
    this.id = init.id;
    this.cwd = init.cwd;
    this.additionalDirectories = init.additionalDirectories;
    this.createdAt = init.createdAt;
    this.conversation = new Conversation(init.systemPrompt, init.earlier);
    this.currentMode = init.mode;
    this.model = init.model;
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

  setModel(modelId: string): void {
    if (!this.init.switchModel) throw new Error('This session cannot switch models.');
    this.model = this.init.switchModel(modelId);
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
   * Runs one turn for a user message. Yields events; returns the outcome.
   * Throws (before yielding) when the model is not configured or a turn is already running.
   */
  async *prompt(message: Extract<ChatMessage, { role: 'user' }>): AsyncGenerator<TurnEvent, TurnOutcome> {
    if (this.closed) throw new Error('This session is closed.');
    const model = this.requireModel();
    if (this.running) throw new TurnInProgressError();
    const controller = new AbortController();
    this.running = controller;
    try {
      if (this.init.beforeTurn) {
        for (const notice of await this.init.beforeTurn(controller.signal)) {
          yield { type: 'notice', severity: 'warning', message: notice };
        }
      }
      this.conversation.append(message);
      return yield* runTurn({
        conversation: this.conversation,
        model,
        tools: this.init.tools,
        signal: controller.signal,
        maxModelRequests: this.init.maxTurnRequests,
      });
    } finally {
      this.running = undefined;
    }
  }

  /** Stops the running turn: the model stream, running commands, pending approvals. */
  async cancel(): Promise<void> {
    this.running?.abort();
    await this.init.onCancel?.();
  }

  get commands(): SlashCommand[] {
    return this.init.commands?.() ?? [];
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
    this.running?.abort();
    await this.init.onClose?.();
  }
}
