import type * as unstable from '@agentclientprotocol/sdk/unstable';
import type { DelegatedChild } from '../runtime/child-observer.js';
import type { ChildOutcome } from '../tools/delegate.js';
import { initializeParams } from './rpc/acp-params.js';

/**
 * The SDK's unstable subagent updates (`subagent_update` on the parent session), for a client
 * that advertises `clientCapabilities.subagents`: each delegated child is announced before its
 * own updates (sent under its id), with Stop allowed (`session/cancel` on the child's id), and
 * told idle with its stop reason when it ends. Translation only.
 */

/** `initialize` params kept whole: the unstable `subagents` capability must survive. */
export const parseInitialize = initializeParams;

/** Whether the client understands subagent sessions (`{}` or any object; `null` or absent: no). */
export function supportsSubagents(capabilities: unknown): boolean {
  const value = (capabilities as { subagents?: unknown } | null | undefined)?.subagents;
  return !!value && typeof value === 'object';
}

type SubagentUpdate = Extract<unstable.SessionUpdate, { sessionUpdate: 'subagent_update' }>;

export function subagentStarted(child: DelegatedChild, cwd: string): SubagentUpdate {
  return {
    sessionUpdate: 'subagent_update',
    sessionId: child.id,
    title: child.label,
    description: child.goal,
    cwd,
    capabilities: { cancel: {} },
    state: { state: 'running' },
    _meta: { cairn: { toolCallId: child.toolCallId, toolset: child.toolset } },
  };
}

const STOP_REASONS: Record<Exclude<ChildOutcome, 'failed'>, string> = {
  done: 'end_turn',
  cancelled: 'cancelled',
  budget_exhausted: 'max_turn_requests',
};

export function subagentEnded(childId: string, outcome: ChildOutcome): SubagentUpdate {
  const state =
    outcome === 'failed'
      ? { state: 'idle', stopReason: 'error', error: { code: -32603, message: 'The delegated task failed.' } }
      : { state: 'idle', stopReason: STOP_REASONS[outcome] };
  return {
    sessionUpdate: 'subagent_update',
    sessionId: childId,
    // The child ended: nothing left to cancel.
    capabilities: null,
    state: state as SubagentUpdate['state'],
    _meta: { cairn: { outcome } },
  };
}
