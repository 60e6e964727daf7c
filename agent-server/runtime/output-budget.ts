/**
 * The one rule for how much of a tool result the model reads: at most `maxBytes` (UTF-8) and
 * `maxLines`. Past either, the first and last whole lines are kept (context sits at the start,
 * errors and exit codes at the end) and a note takes the place of the middle. Pure: saving the
 * whole text is the caller's job (see saved-outputs.ts).
 */

export interface OutputBudget {
  maxBytes: number;
  maxLines: number;
}

/** What was left out, in terms the model can act on (1-based lines of the whole text). */
export interface OmittedPart {
  /** Lines not shown whole (a line shown in part counts as omitted). */
  lines: number;
  bytes: number;
  firstLine: number;
  lastLine: number;
  /** The first or last omitted line is shown in part (one line longer than the budget). */
  partial: boolean;
  totalLines: number;
  totalBytes: number;
}

/** Share of the budget given to the head; the tail gets the rest (errors usually come last). */
const HEAD_SHARE = 0.4;

/** UTF-8 length of one UTF-16 code unit at `i` (a surrogate pair counts 4 at its first unit). */
function unitBytes(text: string, i: number): { bytes: number; units: number } {
  const c = text.charCodeAt(i);
  if (c < 0x80) return { bytes: 1, units: 1 };
  if (c < 0x800) return { bytes: 2, units: 1 };
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const next = text.charCodeAt(i + 1);
    if (next >= 0xdc00 && next <= 0xdfff) return { bytes: 4, units: 2 };
  }
  // Lone surrogates are written as U+FFFD (3 bytes), like Buffer.byteLength counts them.
  return { bytes: 3, units: 1 };
}

/** The longest prefix of `text` within `maxBytes`, never splitting a character. */
export function utf8Prefix(text: string, maxBytes: number): string {
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const u = unitBytes(text, i);
    if (bytes + u.bytes > maxBytes) break;
    bytes += u.bytes;
    i += u.units;
  }
  return text.slice(0, i);
}

/** The longest suffix of `text` within `maxBytes`, never splitting a character. */
export function utf8Suffix(text: string, maxBytes: number): string {
  let bytes = 0;
  let i = text.length;
  while (i > 0) {
    const c = text.charCodeAt(i - 1);
    const isLowOfPair =
      c >= 0xdc00 &&
      c <= 0xdfff &&
      i >= 2 &&
      text.charCodeAt(i - 2) >= 0xd800 &&
      text.charCodeAt(i - 2) <= 0xdbff;
    const start = isLowOfPair ? i - 2 : i - 1;
    const u = unitBytes(text, start);
    if (bytes + u.bytes > maxBytes) break;
    bytes += u.bytes;
    i = start;
  }
  return text.slice(i);
}

/** Whole lines from one end while both budgets allow; a first line too long is cut inside. */
function takeLines(
  lines: readonly string[],
  lineBytes: readonly number[],
  from: 'head' | 'tail',
  maxBytes: number,
  maxLines: number,
  limit: number,
): { kept: string[]; whole: number; bytes: number; partial: boolean } {
  const kept: string[] = [];
  let bytes = 0;
  for (let n = 0; n < Math.min(maxLines, limit); n++) {
    const i = from === 'head' ? n : lines.length - 1 - n;
    // +1: the newline joining it to its neighbour.
    if (bytes + lineBytes[i]! + 1 > maxBytes) break;
    bytes += lineBytes[i]! + 1;
    kept.push(lines[i]!);
  }
  if (kept.length > 0 || limit === 0 || maxLines === 0) {
    return { kept: from === 'head' ? kept : kept.reverse(), whole: kept.length, bytes, partial: false };
  }
  // Not even one line fits: show part of it, cut on a character boundary.
  const line = lines[from === 'head' ? 0 : lines.length - 1]!;
  const part = from === 'head' ? utf8Prefix(line, maxBytes) : utf8Suffix(line, maxBytes);
  return { kept: [part], whole: 0, bytes: Buffer.byteLength(part), partial: true };
}

/** A text cut to budget: what was left out, and the kept head and tail around a note. */
export interface CutText {
  omitted: OmittedPart;
  /** Head, then `note` (its own line or lines), then tail. */
  withNote(note: string): string;
}

/** `undefined` when `text` is within budget (nothing to cut); else its head and tail. */
export function cutToBudget(text: string, budget: OutputBudget): CutText | undefined {
  const totalBytes = Buffer.byteLength(text, 'utf8');
  const lines = text.split('\n');
  if (totalBytes <= budget.maxBytes && lines.length <= budget.maxLines) return undefined;

  const lineBytes = lines.map((l) => Buffer.byteLength(l, 'utf8'));
  const headBytes = Math.floor(budget.maxBytes * HEAD_SHARE);
  const headLines = Math.floor(budget.maxLines * HEAD_SHARE);
  const head = takeLines(lines, lineBytes, 'head', headBytes, headLines, lines.length);
  // The tail may use what the head left unused, but never reach back into the head. One line
  // longer than the whole budget shows its start and its end.
  const tail =
    lines.length === 1
      ? takeLines(lines, lineBytes, 'tail', budget.maxBytes - head.bytes, 1, 1)
      : takeLines(
          lines,
          lineBytes,
          'tail',
          budget.maxBytes - head.bytes,
          budget.maxLines - head.kept.length,
          lines.length - head.kept.length,
        );
  const firstLine = head.whole + 1;
  const lastLine = lines.length - tail.whole;
  const omitted: OmittedPart = {
    lines: lastLine - firstLine + 1,
    bytes: Math.max(0, totalBytes - head.bytes - tail.bytes),
    firstLine,
    lastLine,
    partial: head.partial || tail.partial,
    totalLines: lines.length,
    totalBytes,
  };
  return { omitted, withNote: (note) => [...head.kept, note, ...tail.kept].join('\n') };
}

/** `1,234 KB`, `0.4 KB` → `1 KB`: sizes for a note the model reads. */
export function formatKB(bytes: number): string {
  return `${Math.max(1, Math.ceil(bytes / 1024)).toLocaleString('en-US')} KB`;
}
