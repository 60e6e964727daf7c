import type { ChatMessage } from './messages.js';

/**
 * A session's messages, in order. The system prompt is fixed at creation so it stays
 * byte-identical for the session (provider prefix caching). Listeners see every append
 * (history recording) after it happened.
 */
export class Conversation {
  private readonly items: ChatMessage[] = [];
  private readonly listeners = new Set<(message: ChatMessage) => void>();

  constructor(
    readonly systemPrompt: string,
    earlier: ChatMessage[] = [],
  ) {
    this.items.push(...earlier.filter((m) => m.role !== 'system'));
  }

  /** What the model is sent: system prompt, then the messages. */
  forModel(): ChatMessage[] {
    return [{ role: 'system', content: this.systemPrompt }, ...this.items];
  }

  get messages(): readonly ChatMessage[] {
    return this.items;
  }

  append(message: ChatMessage): void {
    this.items.push(message);
    for (const l of this.listeners) l(message);
  }

  /** Compaction: the messages become these (a summary and the latest turns). Listeners are not told. */
  replace(messages: readonly ChatMessage[]): void {
    this.items.splice(0, this.items.length, ...messages.filter((m) => m.role !== 'system'));
  }

  onAppend(listener: (message: ChatMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
