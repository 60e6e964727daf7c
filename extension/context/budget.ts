/** Bytes of text one `@` reference may send; past it the text is cut with a note saying so. */
export const REFERENCE_BUDGET_BYTES = 48 * 1024;

export type Budgeted = { text: string; bytes: number; note: string | null };

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * `text` kept whole when it fits `maxBytes` (UTF-8), else its first whole lines that fit, with
 * a note (also appended to the text, so the model knows it is not seeing everything).
 */
export function withinBudget(text: string, maxBytes: number = REFERENCE_BUDGET_BYTES): Budgeted {
  const total = Buffer.byteLength(text, 'utf8');
  if (total <= maxBytes) return { text, bytes: total, note: null };
  const kept: string[] = [];
  let size = 0;
  for (const line of text.split('\n')) {
    const lineBytes = Buffer.byteLength(line, 'utf8') + 1;
    if (size + lineBytes > maxBytes) break;
    kept.push(line);
    size += lineBytes;
  }
  const note = `cut to ${formatSize(size)} of ${formatSize(total)}`;
  const body = `${kept.join('\n')}\n[… ${note}: the rest was not sent]`;
  return { text: body, bytes: Buffer.byteLength(body, 'utf8'), note };
}
