import type { ToolCallOutcome } from '../../shared/tool-outcome.js';
import type { ToolSpec } from './model-client.js';
import type { ToolCallRequest } from './messages.js';
import type { PlanEntry, ToolContent, ToolKind, ToolLocation } from './tool-content.js';

/** What a finished tool call gives back: text for the model, rich content for the client. */
export interface ToolResult {
  forModel: string;
  content?: ToolContent[];
  locations?: ToolLocation[];
  plan?: PlanEntry[];
  rawOutput?: unknown;
  /**
   * How the call ended; absent means `completed`. A tool that did not do what was asked
   * (the user rejected it, the write failed, it was cancelled) says so here, so no surface
   * shows it as done.
   */
  outcome?: ToolCallOutcome;
  /** Why it did not complete, for the user: the error, or who rejected it. */
  reason?: string;
}

/** What a running call tells the loop besides its result. */
export interface ToolCallReporter {
  /** Replaces the call's live content on the client (e.g. terminal output so far). */
  progress(content: ToolContent[]): void;
  /**
   * The call has started acting (after any approval). Until then it shows as `pending`.
   * Progress implies running; calling it twice is harmless.
   */
  running(): void;
}

/** A model tool call, parsed and validated, ready to run. */
export interface PreparedToolCall {
  ok: true;
  title: string;
  kind: ToolKind;
  locations: ToolLocation[];
  input: unknown;
  /** Throws on failure; the message goes to the model. */
  run(signal: AbortSignal, report: ToolCallReporter): Promise<ToolResult>;
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
