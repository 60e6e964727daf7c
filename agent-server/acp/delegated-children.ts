import type * as acp from '@agentclientprotocol/sdk';
import {
  DELEGATE_CANCEL_METHOD,
  DELEGATE_CHILD_METHOD,
  type DelegateCancelRequest,
  type DelegateCancelResponse,
  type DelegateChildNotification,
  type DelegatedStatus,
} from '../../shared/delegation-protocol.js';
import type { ChildSessionObserver, DelegatedChild } from '../runtime/child-observer.js';
import { sessionEventToUpdate, type ClientSupports } from './session-updates.js';
import { subagentEnded, subagentStarted } from './subagent-updates.js';
import type { AgentApp, AgentContext } from './rpc/index.js';
import { nonEmptyString, sessionParams } from './rpc/checks.js';
import { paramsParser } from './rpc/params.js';

const cancelParams = paramsParser<DelegateCancelRequest>((raw) => {
  const o = sessionParams(raw);
  nonEmptyString(o.childSessionId, 'params.childSessionId');
  return o;
});

export interface DelegatedChildrenOptions {
  /** Whether the client asked to see children (`_meta.cairn.childSessions` at initialize). */
  enabled: () => boolean;
  /** Whether it advertised the SDK's unstable `subagents` capability: `subagent_update`s too. */
  subagents?: () => boolean;
  /** Runs `send` after everything already queued for the parent session (one order per session). */
  enqueue: (parentId: string, send: () => Promise<void>) => void;
  supports: () => ClientSupports;
}

/**
 * The running children of this connection's sessions: each one's start and end told to the
 * client (`_cairn/delegate/child`), its events forwarded as `session/update`s under its own id,
 * and `_cairn/delegate/cancel` to stop one child alone.
 */
export class DelegatedChildren {
  private readonly live = new Map<string, DelegatedChild>();

  constructor(private readonly opts: DelegatedChildrenOptions) {}

  /** The observer lent to a session's bindings; undefined when the client does not show children. */
  observer(client: AgentContext): ChildSessionObserver | undefined {
    if (!this.opts.enabled()) return undefined;
    const unsubscribes = new Map<string, () => void>();
    const tell = (child: DelegatedChild, status: DelegatedStatus) =>
      this.opts.enqueue(child.parentId, () =>
        client.notify<DelegateChildNotification>(DELEGATE_CHILD_METHOD, {
          sessionId: child.parentId,
          childSessionId: child.id,
          toolCallId: child.toolCallId,
          label: child.label,
          goal: child.goal,
          toolset: child.toolset,
          status,
        }),
      );
    // The SDK's subagent updates go on the parent session (announced before the child's own).
    const announce = (parentId: string, update: ReturnType<typeof subagentStarted>) => {
      if (this.opts.subagents?.())
        this.opts.enqueue(parentId, () =>
          client.notify('session/update', {
            sessionId: parentId,
            update: update as unknown as acp.SessionUpdate,
          }),
        );
    };
    return {
      started: (child) => {
        this.live.set(child.id, child);
        announce(child.parentId, subagentStarted(child, child.session.cwd));
        tell(child, 'running');
        const unsubscribe = child.session.subscribe((event) => {
          const update = sessionEventToUpdate(event, this.opts.supports());
          if (!update) return;
          this.opts.enqueue(child.parentId, () =>
            client.notify('session/update', { sessionId: child.id, update }),
          );
        });
        unsubscribes.set(child.id, unsubscribe);
      },
      ended: (childId, outcome) => {
        const child = this.live.get(childId);
        if (!child) return;
        this.live.delete(childId);
        unsubscribes.get(childId)?.();
        unsubscribes.delete(childId);
        tell(child, outcome);
        announce(child.parentId, subagentEnded(childId, outcome));
      },
    };
  }

  /** `session/cancel` on a child's own id (a client with subagent sessions): stops that child alone. */
  async cancelById(childId: string): Promise<boolean> {
    const child = this.live.get(childId);
    return child ? this.cancel(child.parentId, childId) : false;
  }

  /** Stops one running child of `parentId`; false when there is none by that id (it ended). */
  async cancel(parentId: string, childId: string): Promise<boolean> {
    const child = this.live.get(childId);
    if (!child || child.parentId !== parentId) return false;
    await child.session.cancel();
    return true;
  }
}

export function registerDelegationRequests(app: AgentApp, children: DelegatedChildren): void {
  app.onRequest<DelegateCancelRequest, DelegateCancelResponse>(
    DELEGATE_CANCEL_METHOD,
    cancelParams,
    async ({ params }) => ({ cancelled: await children.cancel(params.sessionId, params.childSessionId) }),
  );
}
