import type { Conversation } from '../core/conversation.js';
import type { TurnEvent } from '../core/events.js';
import type { HistoryStore } from './store.js';
import type { HistoryRecord, StoredToolCall } from './types.js';

/**
 * Records a live session into history: every message the conversation appends, and each
 * tool call's final display state (from the turn's events) for replay on `session/load`.
 * Appends go out without waiting, so a turn's records share fsyncs (group commit); `flush()`
 * resolves when everything recorded so far is durable: await it before acknowledging a turn.
 */
export class SessionRecorder {
  private readonly calls = new Map<string, StoredToolCall>();
  private writes: Promise<void>[] = [];
  private failure: Error | undefined;
  private detach: (() => void) | undefined;

  constructor(
    private readonly history: HistoryStore,
    /** The history session written to (changes when compaction moves to a child session). */
    public sessionId: string,
    private readonly log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  ) {}

  /** Starts recording the conversation's appends. */
  attach(conversation: Conversation): void {
    this.detach?.();
    this.detach = conversation.onAppend((message) => {
      if (message.role !== 'system') this.record({ type: 'message', message });
    });
  }

  /** Follows a turn event; a tool call is recorded when it reaches its final status. */
  observe(event: TurnEvent): void {
    if (event.type === 'tool_call') {
      this.calls.set(event.toolCallId, {
        toolCallId: event.toolCallId,
        title: event.title,
        kind: event.kind,
        status: 'pending',
        content: [],
        locations: event.locations,
        rawInput: event.rawInput,
      });
    } else if (event.type === 'tool_call_update') {
      const call = this.calls.get(event.toolCallId);
      if (!call) return;
      if (event.status) call.status = event.status;
      if (event.title) call.title = event.title;
      if (event.locations) call.locations = event.locations;
      if (event.content) call.content = event.content;
      if (call.status === 'completed' || call.status === 'failed') this.finishCall(call);
    }
  }

  /** Ends a turn: calls that never finished (cancelled, crashed tool) are kept as failed. */
  endTurn(): void {
    for (const call of [...this.calls.values()]) this.finishCall({ ...call, status: 'failed' });
  }

  /** Resolves when every record so far is durable; rejects if one could not be written. */
  async flush(): Promise<void> {
    const pending = this.writes;
    this.writes = [];
    await Promise.all(pending);
    if (this.failure) {
      const err = this.failure;
      this.failure = undefined;
      throw err;
    }
  }

  stop(): void {
    this.detach?.();
    this.detach = undefined;
  }

  private finishCall(call: StoredToolCall): void {
    this.calls.delete(call.toolCallId);
    this.record({ type: 'tool_call', toolCall: call });
  }

  private record(record: HistoryRecord): void {
    const write = this.history.append(this.sessionId, record).catch((err: Error) => {
      this.failure ??= err;
      this.log(`cairn: could not record history for session ${this.sessionId}: ${err.message}`);
    });
    this.writes.push(write);
  }
}
