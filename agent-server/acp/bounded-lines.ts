/**
 * Splits a byte stream into newline-terminated lines without ever holding more than `maxBytes`
 * of one line: a longer line is reported once, as soon as it passes the limit, and the rest
 * of it is skipped up to its newline. The ACP SDK's own splitter throws instead, which ends
 * the connection.
 */
export type SplitItem = { line: Buffer } | { tooLarge: true };

export class BoundedLineSplitter {
  private parts: Buffer[] = [];
  private length = 0;
  private skipping = false;

  constructor(private readonly maxBytes: number) {}

  *push(chunk: Buffer): Generator<SplitItem> {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl === -1 ? chunk.length : nl;
      if (!this.skipping) {
        const piece = chunk.subarray(start, end);
        if (this.length + piece.length > this.maxBytes) {
          this.parts = [];
          this.length = 0;
          this.skipping = true;
          yield { tooLarge: true };
        } else {
          this.parts.push(piece);
          this.length += piece.length;
        }
      }
      if (nl === -1) break;
      if (this.skipping) this.skipping = false;
      else yield { line: this.take() };
      start = nl + 1;
    }
  }

  /** What is left when the input ends without a final newline. */
  flush(): Buffer | undefined {
    if (this.skipping || this.length === 0) return undefined;
    return this.take();
  }

  private take(): Buffer {
    const line = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    this.parts = [];
    this.length = 0;
    return line;
  }
}

/** Whether JSON text nests arrays/objects deeper than `limit` (strings are skipped). */
export function nestsDeeperThan(json: Buffer, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}
