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
    { card: PermissionCard; settle: (r: RequestPermissionResponse) => void; shown: boolean }
  >();

  constructor(private readonly events: PermissionEvents) {}

  /**
   * Shows a card and resolves with the user's answer; `signal` cancels it (ACP request cancelled).
   * With `deferShow`, the card stays hidden until `show()` (an edit whose review card is still opening).
   */
  ask(
    request: RequestPermissionRequest,
    signal?: AbortSignal,
    options: { deferShow?: boolean } = {},
  ): { card: PermissionCard; answer: Promise<RequestPermissionResponse>; show(): void } {
    const card: PermissionCard = {
      requestId: `perm-${randomUUID()}`,
      sessionId: request.sessionId,
      toolCall: request.toolCall,
      options: request.options,
    };
    const answer = new Promise<RequestPermissionResponse>((settle) => {
      this.pending.set(card.requestId, { card, settle, shown: false });
    });
    signal?.addEventListener('abort', () => this.answer(card.requestId, null), { once: true });
    const show = () => {
      const entry = this.pending.get(card.requestId);
      if (!entry || entry.shown) return;
      entry.shown = true;
      this.events.requested(card);
    };
    if (!options.deferShow) show();
    return { card, answer, show };
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

  /** The cards shown so far (a deferred one joins once shown). */
  list(): PermissionCard[] {
    return [...this.pending.values()].filter((e) => e.shown).map((e) => e.card);
  }

  get size(): number {
    return this.pending.size;
  }
}
