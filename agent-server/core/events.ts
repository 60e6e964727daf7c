import type { TokenUsage } from './model-client.js';
import type { ToolCallOutcome } from '../../shared/tool-outcome.js';
import type { PlanEntry, ToolContent, ToolKind, ToolLocation } from './tool-content.js';
import type { ToolRefusal } from './tool-runner.js';

export type { ToolCallOutcome };

/**
 * `pending` until the call runs (waiting for approval included), `in_progress` once it does;
 * `failed` ends every call that did not complete: the final update's `outcome` says how.
 */
export type ToolCallStatus = 'pending' | 'in_progress' | 'completed' | 'failed';

/** What one turn reports while it runs, in order. Transport-neutral. */
export type TurnEvent =
  | { type: 'text'; delta: string }
  | { type: 'thought'; delta: string }
  | {
      type: 'tool_call';
      toolCallId: string;
      toolName: string;
      title: string;
      kind: ToolKind;
      locations: ToolLocation[];
      rawInput: unknown;
    }
  | {
      type: 'tool_call_update';
      toolCallId: string;
      status?: ToolCallStatus;
      title?: string;
      locations?: ToolLocation[];
      /** Replaces the call's content on the client. */
      content?: ToolContent[];
      rawOutput?: unknown;
      /** Set on the final update only: how the call ended. */
      outcome?: ToolCallOutcome;
      /** Why it did not complete, for the user (the error, who rejected it). */
      reason?: string;
      /** Set on the final update of a call that was refused (by the mode or the gate). */
      refusal?: ToolRefusal;
    }
  | { type: 'plan'; entries: PlanEntry[] }
  | { type: 'usage'; usage: TokenUsage; contextWindow?: number }
  | { type: 'notice'; severity: 'info' | 'warning' | 'error'; message: string };

export type StopReason = 'end_turn' | 'max_tokens' | 'max_turn_requests' | 'refusal' | 'cancelled';

export interface TurnOutcome {
  stopReason: StopReason;
  /** Set when the turn ended because the model failed; the session stays usable. */
  error?: { kind: string; message: string };
}
