import type { ToolSpec } from './model-client.js';
import type { ToolCallRequest } from './messages.js';
import type { PlanEntry, ToolContent, ToolKind, ToolLocation } from './tool-content.js';

/** What a finished tool call gives back: text for the model, rich content for the client. */
export interface ToolOutcome {
  forModel: string;
  content?: ToolContent[];
  locations?: ToolLocation[];
  plan?: PlanEntry[];
  rawOutput?: unknown;
}

/** A model tool call, parsed and validated, ready to run. */
export interface PreparedToolCall {
  ok: true;
  title: string;
  kind: ToolKind;
  locations: ToolLocation[];
  input: unknown;
  /** Throws on failure; the message goes to the model. */
  run(signal: AbortSignal, progress: (content: ToolContent[]) => void): Promise<ToolOutcome>;
}

export interface RejectedToolCall {
  ok: false;
  title: string;
  kind: ToolKind;
  rawInput: unknown;
  /** Why it cannot run (unknown tool, invalid JSON, invalid input), written for the model. */
  error: string;
}

/**
 * The loop's view of the tools: which the model may call now, and how to prepare a call.
 * Implemented outside core (the runtime), so the loop knows nothing of files or terminals.
 */
export interface ToolRunner {
  specs(): ToolSpec[];
  prepare(call: ToolCallRequest): PreparedToolCall | RejectedToolCall;
}
