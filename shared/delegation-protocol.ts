/**
 * Cairn's ACP extension for delegated tasks (child sessions), between the agent server and a
 * client that shows them (the VS Code panel). Pure types and constants.
 *
 * A client opts in with `clientCapabilities._meta.cairn.childSessions: true` at `initialize`.
 * The agent then sends, on the parent's connection and in order with the parent's updates:
 * - `_cairn/delegate/child` when a child starts (`status: running`) and when it ends (its outcome);
 * - each child's own `session/update`s with `sessionId` set to the child's id, between the two.
 * `_cairn/delegate/cancel` stops one running child; its siblings and the parent go on.
 */

export const DELEGATE_CHILD_METHOD = '_cairn/delegate/child';
export const DELEGATE_CANCEL_METHOD = '_cairn/delegate/cancel';

/** How a delegated task ended, as the parent reads it (never `done` unless it finished its turn). */
export type DelegatedOutcome = 'done' | 'failed' | 'cancelled' | 'budget_exhausted';
export type DelegatedStatus = 'running' | DelegatedOutcome;

export interface DelegateChildNotification {
  /** The parent session. */
  sessionId: string;
  childSessionId: string;
  /** The parent's `delegate` tool call the child belongs to. */
  toolCallId: string;
  label: string;
  goal: string;
  toolset: string;
  status: DelegatedStatus;
}

export interface DelegateCancelRequest {
  sessionId: string;
  childSessionId: string;
}

/** `cancelled: false` when no such child of that session is running (it already ended). */
export interface DelegateCancelResponse {
  cancelled: boolean;
}

/** Whether `initialize`'s client capabilities ask for child sessions. */
export function wantsChildSessions(capabilities: { _meta?: unknown } | null | undefined): boolean {
  const meta = capabilities?._meta;
  if (!meta || typeof meta !== 'object') return false;
  const cairn = (meta as Record<string, unknown>).cairn;
  return !!cairn && typeof cairn === 'object' && (cairn as Record<string, unknown>).childSessions === true;
}
