import type { Conversation } from '../core/conversation.js';
import type { TurnEvent } from '../core/events.js';
import { userText, type ChatMessage } from '../core/messages.js';
import { SessionRecorder, titleFromFirstExchange, type HistoryStore } from '../history/index.js';
import type { SessionOrigin, SessionSettings } from '../history/types.js';

/**
 * A live session's link to history: which history session it writes to (a new one after each
 * compaction), its messages and tool calls as they happen, and its title.
 */
export class SessionRecording {
  private readonly recorder: SessionRecorder;

  private constructor(
    readonly store: HistoryStore,
    historyId: string,
    conversation: Conversation,
    private readonly log: (line: string) => void,
  ) {
    this.recorder = new SessionRecorder(store, historyId, log);
    this.recorder.attach(conversation);
  }

  /**
   * Starts recording a session. `create`: the history session is new and is written first, so
   * it is in history before any client hears of it. Returns undefined (after logging) when
   * history cannot take it: the session still works, it just will not be listed or searchable.
   */
  static async start(opts: {
    store: HistoryStore;
    historyId: string;
    create?: { cwd: string; createdAt: Date; model?: string; origin?: SessionOrigin };
    conversation: Conversation;
    log: (line: string) => void;
  }): Promise<SessionRecording | undefined> {
    if (opts.create) {
      try {
        await opts.store.createSession({
          id: opts.historyId,
          cwd: opts.create.cwd,
          createdAt: opts.create.createdAt.getTime(),
          ...(opts.create.model ? { model: opts.create.model } : {}),
          ...(opts.create.origin ? { origin: opts.create.origin } : {}),
        });
      } catch (err) {
        opts.log(`cairn: session ${opts.historyId} is not recorded in history: ${(err as Error).message}`);
        return undefined;
      }
    }
    return new SessionRecording(opts.store, opts.historyId, opts.conversation, opts.log);
  }

  /** The history session written to now. */
  get historyId(): string {
    return this.recorder.sessionId;
  }

  observe(event: TurnEvent): void {
    this.recorder.observe(event);
  }

  /** Resolves when everything recorded so far is durable; rejects if something was not written. */
  flush(): Promise<void> {
    return this.recorder.flush();
  }

  /** After a turn: unfinished calls are kept as failed; false (logged) when history is incomplete. */
  async endTurn(sessionId: string): Promise<boolean> {
    this.recorder.endTurn();
    try {
      await this.recorder.flush();
      return true;
    } catch (err) {
      this.log(`cairn: history of session ${sessionId} is incomplete: ${(err as Error).message}`);
      return false;
    }
  }

  /** Continues in `historyId` from now on (a compaction's child session). */
  moveTo(historyId: string): void {
    this.recorder.sessionId = historyId;
  }

  async setTitle(title: string): Promise<void> {
    await this.store.updateSession(this.historyId, { title });
  }

  async setModel(model: string): Promise<void> {
    await this.store.updateSession(this.historyId, { model });
  }

  /** Replaces the stored settings (mode, model, config options) with these. */
  async saveSettings(settings: SessionSettings): Promise<void> {
    await this.store.updateSession(this.historyId, { settings });
  }

  /** Stops recording once what was recorded is durable. */
  async stop(): Promise<void> {
    this.recorder.endTurn();
    this.recorder.stop();
    await this.recorder.flush().catch((err: Error) => this.log(`cairn: ${err.message}`));
  }
}

/** A title from the conversation's first exchange, or undefined when it has no words yet. */
export function titleFromConversation(messages: readonly ChatMessage[]): string | undefined {
  const firstUser = messages.find((m) => m.role === 'user');
  const firstReply = messages.find((m) => m.role === 'assistant' && m.content);
  return titleFromFirstExchange(
    firstUser && firstUser.role === 'user' ? userText(firstUser.content) : '',
    firstReply && firstReply.role === 'assistant' ? firstReply.content : '',
  );
}
