import type { ChatMessage } from '../core/messages.js';
import type { ModelClient } from '../core/model-client.js';
import type { ToolRunner } from '../core/tool-runner.js';
import type { SessionMode } from '../permissions/policy.js';
import type { AgentSession, ModelNotConfiguredError } from './agent-session.js';
import type { SessionCheckpoints } from './session-checkpoints.js';
import type { SessionModelControls } from './session-model.js';
import type { SlashCommand } from './slash-commands.js';

/**
 * What a session needs to run turns, built once after the client has its answer (see
 * `AgentSession.ready`): its prompt, tools, terminal, commands and the features behind them.
 */
export interface SessionParts {
  systemPrompt: string;
  tools: ToolRunner;
  /** One line describing where commands run, for `/status`. */
  terminalDescription: string;
  /** Its checkpoints, for front ends' checkpoint requests. */
  checkpoints?: SessionCheckpoints;
  /** Runs before each turn (e.g. start MCP servers lazily); returns notices for the user. */
  beforeTurn?: (signal: AbortSignal) => Promise<string[]>;
  /** Stop everything the session started (commands, background processes, servers). */
  onCancel?: () => Promise<void>;
  onClose?: () => Promise<void>;
  statusLines?: () => string[];
  /** Slash commands offered to the client (built-in and from features such as skills). */
  commands?: () => SlashCommand[];
  /** Subscribes to changes of the command list (a skill saved or removed); returns the unsubscribe. */
  onCommandsChanged?: (listener: () => void) => () => void;
}

export interface AgentSessionInit {
  id: string;
  cwd: string;
  additionalDirectories: string[];
  createdAt: Date;
  earlier?: ChatMessage[];
  mode: SessionMode;
  /** Either a model, or why there is none. */
  model: ModelClient | ModelNotConfiguredError;
  /** Builds a model client for another model id (the client's model picker). */
  switchModel?: (modelId: string) => ModelClient;
  modelChoices: string[];
  maxTurnRequests: number;
  /**
   * Builds the session's parts (tools, prompt, terminal, skills, memory…); called once, by
   * `ready()`. Kept off `session/new`'s path: that answer waits for none of it.
   */
  prepare: (session: AgentSession) => Promise<SessionParts>;
  /**
   * Background work to start once the client has the session (its checks of the endpoint):
   * never on `session/new`'s path, where it would delay the answer.
   */
  warmUp?: () => void;
  /** The model's fallbacks, reasoning effort and endpoint checks (see session-model.ts). */
  modelControls?: SessionModelControls;
  /** A name it already has (a session brought back from history). */
  title?: string;
  log?: (line: string) => void;
}
