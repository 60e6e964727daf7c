/**
 * How the chat host sends prompts: at once, even while a turn runs (the agent queues them and
 * runs them in order), each joining the transcript when its turn begins; steers into the running
 * turn (`/steer`); queued prompts withdrawn (`_cairn/queue/remove`); Stop keeping or dropping
 * the queue.
 */
import type { ClientConnection, ContentBlock, StopReason } from '@agentclientprotocol/sdk';
import type {
  ContextItem,
  HostNotificationMethod,
  HostNotifications,
  QueuedPrompt,
} from '../shared/webview-protocol.js';
import { titleFromPrompt } from '../shared/prompt-title.js';
import { PromptQueue, type PromptEntry } from './prompt-queue.js';
import type { SessionView } from './session-view.js';
import { acpErrorMessage } from './acp-error.js';

export type PromptFlowHost = {
  readonly session: SessionView;
  notify<M extends HostNotificationMethod>(method: M, params: HostNotifications[M]): void;
  stateChanged(): void;
  /** A prompt of the current session was answered (checkpoints may have changed). */
  turnEnded(): void;
};

type Outcome = { stopReason: StopReason };

export class PromptFlow {
  private readonly prompts = new PromptQueue((entry) => this.started(entry));
  /** Steers sent into the running turn and not answered yet. */
  private steering = 0;

  constructor(private readonly host: PromptFlowHost) {}

  /** A prompt runs or waits, or a steer is on its way. */
  get busy(): boolean {
    return this.prompts.busy || this.steering > 0;
  }

  /** The prompts waiting for the running one. */
  waiting(): QueuedPrompt[] {
    return this.prompts.waiting();
  }

  /** Sends a prompt now; resolves with how its turn ended (it may wait behind others first). */
  send(
    connection: ClientConnection,
    prompt: { sessionId: string; text: string; context: ContextItem[]; blocks: ContentBlock[] },
  ): Promise<Outcome> {
    return this.run(connection, this.prompts.add(prompt));
  }

  /** `/steer`: the text joins the running turn at its next step; the agent answers at once. */
  async steer(
    connection: ClientConnection,
    sessionId: string,
    text: string,
    context: ContextItem[],
  ): Promise<Outcome> {
    if (context.length) {
      throw new Error('A steer sends text only: remove the attached context, or queue the message.');
    }
    const { session } = this.host;
    session.recordUserPrompt(sessionId, [{ type: 'text', text }]);
    this.host.notify('chat/userPrompt', { sessionId, text, context: [], steered: true });
    this.steering++;
    this.host.stateChanged();
    try {
      return await connection.agent.request('session/prompt', {
        sessionId,
        prompt: [{ type: 'text', text: `/steer ${text}` }],
      });
    } catch (err) {
      const message = acpErrorMessage(err);
      this.host.notify('turn/ended', { sessionId, stopReason: null, error: `The steer failed: ${message}` });
      throw new Error(message);
    } finally {
      this.steering--;
      this.host.stateChanged();
    }
  }

  /**
   * Stops the running turn (`session/cancel`). The agent answers the queued prompts `cancelled`
   * with it; `keep` sends them again right after, in order, so they run once the turn stopped.
   */
  async cancel(connection: ClientConnection | null, sessionId: string, keep: boolean): Promise<void> {
    const running = this.busy;
    const waiting = this.prompts.takeWaiting();
    if (!running || !connection) return;
    await connection.agent.notify('session/cancel', { sessionId });
    if (!keep) return;
    for (const entry of waiting) {
      // A failure shows in the transcript (turn/ended); nobody awaits this one.
      this.run(connection, this.prompts.add(entry, entry.id)).catch(() => {});
    }
  }

  /** Withdraws a queued prompt before it runs. */
  async remove(connection: ClientConnection | null, id: string): Promise<void> {
    const found = this.prompts.locate(id);
    if (!found || !connection) throw new Error('That message is no longer queued: it has started or ended.');
    let removed: boolean;
    try {
      const res = await connection.agent.request<{ removed: boolean }>('_cairn/queue/remove', {
        sessionId: found.entry.sessionId,
        index: found.index,
      });
      removed = res?.removed === true;
    } catch (err) {
      throw new Error(`Could not remove the queued message: ${acpErrorMessage(err)}`);
    }
    if (!removed) throw new Error('That message had already started, so it was not removed.');
    found.entry.dropped = true;
    this.host.stateChanged();
  }

  /** `_cairn/queue`: the agent's own line-up (its indexes are what `remove` sends). */
  serverReported(sessionId: string, queued: { index: number }[]): void {
    this.prompts.serverReported(sessionId, queued);
  }

  /** The server is gone: nothing it held will be answered. */
  dropAll(): void {
    this.prompts.dropAll();
  }

  /** Sends a prompt the queue holds and reports how it ended (nothing for one dropped before it ran). */
  private async run(connection: ClientConnection, entry: PromptEntry): Promise<Outcome> {
    const { sessionId } = entry;
    this.host.stateChanged();
    try {
      const { stopReason } = await connection.agent.request('session/prompt', {
        sessionId,
        prompt: entry.blocks,
      });
      if (entry.started && !entry.dropped)
        this.host.notify('turn/ended', { sessionId, stopReason, error: null });
      return { stopReason };
    } catch (err) {
      const message = acpErrorMessage(err);
      if (!entry.dropped) {
        // Failed before its turn began: show the prompt, then why it failed.
        if (!entry.started) this.started(entry);
        this.host.notify('turn/ended', { sessionId, stopReason: null, error: message });
      }
      throw new Error(message);
    } finally {
      this.prompts.answered(entry);
      if (sessionId === this.host.session.sessionId) this.host.turnEnded();
      this.host.stateChanged();
    }
  }

  /** A prompt's turn began: it joins the transcript (queued ones wait above the composer until then). */
  private started(entry: PromptEntry): void {
    const { session } = this.host;
    if (entry.sessionId !== session.sessionId) return;
    // Named from the first prompt at once; the agent's own title replaces it when it comes.
    if (!session.title && !session.hasUserPrompt()) session.title = titleFromPrompt(entry.text);
    session.recordUserPrompt(entry.sessionId, entry.blocks);
    this.host.notify('chat/userPrompt', {
      sessionId: entry.sessionId,
      text: entry.text,
      context: entry.context,
    });
    this.host.stateChanged();
  }
}
