import type { ToolCallOutcome } from '../../shared/tool-outcome.js';
import type { ToolSpec } from './model-client.js';
import type { ToolCallRequest } from './messages.js';
import type { PlanEntry, ToolContent, ToolKind, ToolLocation } from './tool-content.js';

/**
 * Who refused a call that did not run: the session's mode (plan is read-only) or the
 * permission gate's answer (the user, a remembered rule, or a headless run's grants). Typed,
 * so a runner tells a refusal from a failure without reading the sentence.
 */
export type ToolRefusal = 'mode' | 'permission';

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
  /** Set when the call was refused rather than failed. */
  refusal?: ToolRefusal;
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
  /** Set when it cannot run because it is refused (a changing tool in plan mode). */
  refusal?: ToolRefusal;
}

/**
 * The loop's view of the tools: which the model may call now, and how to prepare a call.
 * Implemented outside core (the runtime), so the loop knows nothing of files or terminals.
 */
export interface ToolRunner {
  specs(): ToolSpec[];
  prepare(call: ToolCallRequest): PreparedToolCall | RejectedToolCall;
}
