import type { ChatMessage } from './messages.js';

/**
 * A session's messages, in order. The system prompt is fixed once, before the first model
 * request (a session builds it after answering the client), and then stays byte-identical
 * for the session (provider prefix caching). Listeners see every append (history recording)
 * after it happened.
 */
export class Conversation {
  private readonly items: ChatMessage[] = [];
  private readonly listeners = new Set<(message: ChatMessage) => void>();
  private prompt: string | undefined;

  constructor(systemPrompt?: string, earlier: ChatMessage[] = []) {
    this.prompt = systemPrompt;
    this.items.push(...earlier.filter((m) => m.role !== 'system'));
  }

  /** The system prompt; empty until it is fixed. */
  get systemPrompt(): string {
    return this.prompt ?? '';
  }

  /** Fixes the system prompt of a conversation created without one; it never changes after. */
  fixSystemPrompt(text: string): void {
    if (this.prompt !== undefined) throw new Error('The system prompt is already fixed.');
    this.prompt = text;
  }

  /** What the model is sent: system prompt, then the messages. */
  forModel(): ChatMessage[] {
    if (this.prompt === undefined) throw new Error('The system prompt is not fixed yet.');
    return [{ role: 'system', content: this.prompt }, ...this.items];
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
