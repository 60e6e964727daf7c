import * as acp from '@agentclientprotocol/sdk';
import type * as unstable from '@agentclientprotocol/sdk/unstable';
import { z } from 'zod';
import type { DelegatedChild } from '../runtime/child-observer.js';
import type { ChildOutcome } from '../tools/delegate.js';

/**
 * The SDK's unstable subagent updates (`subagent_update` on the parent session), for a client
 * that advertises `clientCapabilities.subagents`: each delegated child is announced before its
 * own updates (sent under its id), with Stop allowed (`session/cancel` on the child's id), and
 * told idle with its stop reason when it ends. Translation only.
 */

/** `initialize` params kept whole: the stable schema would drop the unstable `subagents` capability. */
const InitializeParams = z
  .object({
    protocolVersion: z.number().int().min(0),
    clientCapabilities: z.object({}).passthrough().nullish(),
  })
  .passthrough();

export function parseInitialize(raw: unknown): acp.InitializeRequest & { clientCapabilities?: unknown } {
  const parsed = InitializeParams.safeParse(raw);
  if (!parsed.success)
    throw acp.RequestError.invalidParams(
      { issues: parsed.error.issues.map((i) => `${i.path.join('.') || 'params'}: ${i.message}`) },
      parsed.error.issues[0]?.message,
    );
  return parsed.data as acp.InitializeRequest;
}

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
