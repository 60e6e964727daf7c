import type { SessionNotification } from '@agentclientprotocol/sdk';
import type { DelegateChildNotification } from '../shared/delegation-protocol.js';
import type { DelegatedChildSnapshot } from '../shared/webview-protocol.js';

/** Updates kept per child for a reloaded panel; a longer child shows its latest ones. */
const MAX_UPDATES_PER_CHILD = 2000;

/**
 * The delegated children of the open session, as the agent reported them: each one's status
 * and its own session updates, kept so a reloaded panel shows them again. Children of an
 * earlier session are dropped once another session's children arrive.
 */
export class DelegatedChildren {
  private readonly children = new Map<string, DelegatedChildSnapshot>();

  /** A child started or ended; false when it is not for `currentSessionId`. */
  status(n: DelegateChildNotification, currentSessionId: string | null): boolean {
    if (n.sessionId !== currentSessionId) return false;
    for (const [id, c] of this.children) if (c.info.sessionId !== n.sessionId) this.children.delete(id);
    const known = this.children.get(n.childSessionId);
    this.children.set(n.childSessionId, { info: n, updates: known?.updates ?? [] });
    return true;
  }

  /** Keeps a child's own update; false when the update is not a known child's. */
  update(n: SessionNotification): boolean {
    const child = this.children.get(n.sessionId);
    if (!child) return false;
    child.updates.push(n.update);
    if (child.updates.length > MAX_UPDATES_PER_CHILD)
      child.updates.splice(0, child.updates.length - MAX_UPDATES_PER_CHILD);
    return true;
  }

  /** The parent of a known child (the session a stop request names). */
  parentOf(childSessionId: string): string | undefined {
    return this.children.get(childSessionId)?.info.sessionId;
  }

  /** The children of `sessionId`, in the order they started. */
  of(sessionId: string | null): DelegatedChildSnapshot[] {
    return [...this.children.values()].filter((c) => c.info.sessionId === sessionId);
  }
}

const STATUSES = new Set(['running', 'done', 'failed', 'cancelled', 'budget_exhausted']);

/** Checks `_cairn/delegate/child` params (the SDK hands extension notifications over unparsed). */
export function readDelegateChild(params: unknown): DelegateChildNotification {
  const p = (params ?? {}) as Record<string, unknown>;
  const text = (key: string): string => {
    const v = p[key];
    if (typeof v !== 'string') throw new Error(`_cairn/delegate/child: ${key} is not a string`);
    return v;
  };
  const status = text('status');
  if (!STATUSES.has(status)) throw new Error(`_cairn/delegate/child: unknown status ${status}`);
  return {
    sessionId: text('sessionId'),
    childSessionId: text('childSessionId'),
    toolCallId: text('toolCallId'),
    label: text('label'),
    goal: text('goal'),
    toolset: text('toolset'),
    status: status as DelegateChildNotification['status'],
  };
}
