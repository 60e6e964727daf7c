import type { ContentBlock } from '@agentclientprotocol/sdk';
import type { ContextItem, QueuedPrompt } from '../shared/webview-protocol.js';

/** A prompt request the agent holds: the running one or one queued behind it. */
export type PromptEntry = {
  id: string;
  sessionId: string;
  text: string;
  context: ContextItem[];
  blocks: ContentBlock[];
  /** Its turn began (the panel shows it in the transcript from then on). */
  started: boolean;
  /** Withdrawn, discarded or sent again: its answer (`cancelled`) is not news for the user. */
  dropped: boolean;
};

/**
 * The prompts sent to the agent that it has not answered yet, in the order it runs them (the
 * server queues prompts that arrive during a turn and runs them in order). The first live one
 * runs; the rest wait. `onStart` fires when a prompt's turn begins: on sending when nothing
 * runs, else when the prompt before it is answered.
 */
export class PromptQueue {
  private entries: PromptEntry[] = [];
  private nextId = 1;
  /** The server's own queue positions (`_cairn/queue`), when it reports them. */
  private serverIndexes: { sessionId: string; indexes: number[] } | null = null;

  constructor(private readonly onStart: (entry: PromptEntry) => void) {}

  /** Adds a prompt just sent; starts it when nothing else runs. */
  add(prompt: Pick<PromptEntry, 'sessionId' | 'text' | 'context' | 'blocks'>, id?: string): PromptEntry {
    const entry: PromptEntry = { ...prompt, id: id ?? `q${this.nextId++}`, started: false, dropped: false };
    this.entries.push(entry);
    this.startFront();
    return entry;
  }

  /** The agent answered this prompt: the next one's turn begins. */
  answered(entry: PromptEntry): void {
    this.entries = this.entries.filter((e) => e !== entry);
    this.startFront();
  }

  /** Whether a prompt runs or waits. */
  get busy(): boolean {
    return this.entries.some((e) => !e.dropped);
  }

  /** The prompts waiting for the running one, as the panel lists them. */
  waiting(): QueuedPrompt[] {
    return this.waitingEntries().map((e) => ({ id: e.id, text: e.text, context: e.context }));
  }

  /** Marks the waiting prompts dropped and returns them (Stop: discarded, or kept to send again). */
  takeWaiting(): PromptEntry[] {
    const taken = this.waitingEntries();
    for (const e of taken) e.dropped = true;
    return taken;
  }

  /** Marks every prompt dropped (the panel leaves the session). */
  dropAll(): void {
    for (const e of this.entries) e.dropped = true;
  }

  /**
   * The waiting prompt `id` and its index in the agent's queue (the server's own index when its
   * last report lists as many prompts as wait here, else the position), or null when it is not waiting.
   */
  locate(id: string): { entry: PromptEntry; index: number } | null {
    const waiting = this.waitingEntries();
    const position = waiting.findIndex((e) => e.id === id);
    const entry = waiting[position];
    if (!entry) return null;
    const server = this.serverIndexes;
    const index =
      server && server.sessionId === entry.sessionId && server.indexes.length === waiting.length
        ? server.indexes[position]!
        : position;
    return { entry, index };
  }

  /** The server's report of its queue (`_cairn/queue`). */
  serverReported(sessionId: string, queued: { index: number }[]): void {
    this.serverIndexes = { sessionId, indexes: queued.map((q) => q.index) };
  }

  private waitingEntries(): PromptEntry[] {
    return this.entries.filter((e) => !e.dropped && !e.started);
  }

  private startFront(): void {
    // Dropped prompts the agent has not answered yet still hold their place.
    const front = this.entries[0];
    if (!front || front.started) return;
    front.started = true;
    if (!front.dropped) this.onStart(front);
  }
}
