/**
 * Command output kept within a byte limit, as ACP's `terminal/output` asks: when the limit is
 * exceeded the oldest output is dropped, cutting only at a UTF-8 character boundary.
 */
export class ByteLimitedOutput {
  private text = '';
  private bytes = 0;
  private cut = false;

  constructor(private readonly limit: number | null) {}

  append(chunk: string): void {
    if (!chunk) return;
    this.text += chunk;
    this.bytes += Buffer.byteLength(chunk, 'utf8');
    if (this.limit !== null && this.bytes > this.limit) this.trim(this.limit);
  }

  get output(): string {
    return this.text;
  }

  get truncated(): boolean {
    return this.cut;
  }

  private trim(limit: number): void {
    const buf = Buffer.from(this.text, 'utf8');
    let start = buf.length - limit;
    // Skip UTF-8 continuation bytes (10xxxxxx) so no character is split.
    while (start < buf.length && (buf[start]! & 0xc0) === 0x80) start++;
    this.text = buf.subarray(start).toString('utf8');
    this.bytes = buf.length - start;
    this.cut = true;
  }
}
