import { randomUUID } from 'node:crypto';
import type { RequestPermissionRequest, RequestPermissionResponse } from '@agentclientprotocol/sdk';
import type { PermissionCard } from '../shared/webview-protocol.js';

export type PermissionEvents = {
  requested(card: PermissionCard): void;
  resolved(requestId: string, optionId: string | null): void;
};

/**
 * Permission requests waiting for the user. Each is answered with one of exactly the options the
 * agent sent, or cancelled (turn stopped, card dismissed, server gone).
 */
export class PermissionRequests {
  private readonly pending = new Map<
    string,
    { card: PermissionCard; settle: (r: RequestPermissionResponse) => void }
  >();

  constructor(private readonly events: PermissionEvents) {}

  /** Shows a card and resolves with the user's answer; `signal` cancels it (ACP request cancelled). */
  ask(
    request: RequestPermissionRequest,
    signal?: AbortSignal,
  ): { card: PermissionCard; answer: Promise<RequestPermissionResponse> } {
    const card: PermissionCard = {
      requestId: `perm-${randomUUID()}`,
      sessionId: request.sessionId,
      toolCall: request.toolCall,
      options: request.options,
    };
    const answer = new Promise<RequestPermissionResponse>((settle) => {
      this.pending.set(card.requestId, { card, settle });
    });
    signal?.addEventListener('abort', () => this.answer(card.requestId, null), { once: true });
    this.events.requested(card);
    return { card, answer };
  }

  /** Answers a card; `optionId` must be one the agent offered, `null` cancels. */
  answer(requestId: string, optionId: string | null): void {
    const entry = this.pending.get(requestId);
    if (!entry) return;
    if (optionId !== null && !entry.card.options.some((o) => o.optionId === optionId)) {
      throw new Error(`"${optionId}" is not one of the options the agent offered.`);
    }
    this.pending.delete(requestId);
    this.events.resolved(requestId, optionId);
    entry.settle(
      optionId === null
        ? { outcome: { outcome: 'cancelled' } }
        : { outcome: { outcome: 'selected', optionId } },
    );
  }

  /** Cancels the session's pending requests (all of them for `null`), as ACP requires after `session/cancel`. */
  cancelSession(sessionId: string | null): void {
    for (const [id, { card }] of this.pending) {
      if (sessionId === null || card.sessionId === sessionId) this.answer(id, null);
    }
  }

  get(requestId: string): PermissionCard | undefined {
    return this.pending.get(requestId)?.card;
  }

  list(): PermissionCard[] {
    return [...this.pending.values()].map((e) => e.card);
  }

  get size(): number {
    return this.pending.size;
  }
}
