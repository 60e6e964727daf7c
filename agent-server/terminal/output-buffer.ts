/**
 * Keeps a command's output in bounded memory: the first `headChars` and the last `tailChars`
 * characters. A command printing gigabytes cannot exhaust the server.
 */
export class BoundedOutput {
  private head = '';
  private tail = '';
  private dropped = 0;

  constructor(
    private readonly headChars = 1 << 20,
    private readonly tailChars = 1 << 20,
  ) {}

  append(chunk: string): void {
    if (this.head.length < this.headChars) {
      const room = this.headChars - this.head.length;
      this.head += chunk.slice(0, room);
      chunk = chunk.slice(room);
      if (!chunk) return;
    }
    this.tail += chunk;
    // Trim lazily (at twice the limit) so appends stay amortised O(1).
    if (this.tail.length > this.tailChars * 2) this.trimTail();
  }

  private trimTail(): void {
    if (this.tail.length > this.tailChars) {
      this.dropped += this.tail.length - this.tailChars;
      this.tail = this.tail.slice(-this.tailChars);
    }
  }

  get truncated(): boolean {
    this.trimTail();
    return this.dropped > 0;
  }

  get length(): number {
    return this.head.length + this.tail.length + this.dropped;
  }

  text(): string {
    this.trimTail();
    if (!this.dropped) return this.head + this.tail;
    return `${this.head}\n[... ${this.dropped} characters dropped ...]\n${this.tail}`;
  }
}
