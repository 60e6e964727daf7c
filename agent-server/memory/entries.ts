/**
 * The on-disk format of a memory file and the edits the `memory` tool makes to it. Pure.
 *
 * A file is Markdown entries separated by a line holding only `§`. A file written by hand
 * without that delimiter is read as paragraphs (blank-line separated), with a plain bullet
 * list split into one entry per bullet, so `remove` of one note never takes the whole file.
 */

export const ENTRY_DELIMITER = '§';
const DELIMITER_LINE = /^[ \t]*§[ \t]*$/m;

export type MemoryTarget = 'memory' | 'user';
export type MemoryScope = 'global' | 'project';

export interface MemoryLimits {
  memoryCharLimit: number;
  userCharLimit: number;
}

export type MemoryEdit =
  | { action: 'add'; content: string }
  | { action: 'replace'; oldText: string; content: string }
  | { action: 'remove'; oldText: string };

/** An edit the file cannot take; the message is written for the model (it says what to do). */
export class MemoryEditError extends Error {
  override name = 'MemoryEditError';
}

export function parseEntries(text: string): string[] {
  const body = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (DELIMITER_LINE.test(body))
    return body
      .split(/^[ \t]*§[ \t]*$/m)
      .map(trimBlankLines)
      .filter(Boolean);
  return body
    .split(/\n[ \t]*\n/)
    .map(trimBlankLines)
    .filter(Boolean)
    .flatMap(splitBulletList);
}

export function serializeEntries(entries: string[]): string {
  return entries.length ? joinEntries(entries) + '\n' : '';
}

/** Size as the limit counts it: characters (code points) of the entries and delimiters. */
export function countChars(entries: string[]): number {
  return Array.from(joinEntries(entries)).length;
}

/** `67% — 1,474/2,200 chars` */
export function formatUsage(chars: number, limit: number): string {
  const pct = Math.round((chars / limit) * 100);
  return `${pct}% — ${chars.toLocaleString('en-US')}/${limit.toLocaleString('en-US')} chars`;
}

export function limitFor(target: MemoryTarget, limits: MemoryLimits): number {
  return target === 'user' ? limits.userCharLimit : limits.memoryCharLimit;
}

/**
 * Applies one edit. Throws MemoryEditError (with the current entries and usage, so the model
 * can consolidate) when the edit cannot be made. A file already over its limit (edited by
 * hand) is never cut: edits that shrink it are allowed, edits that grow it are refused.
 */
export function applyEdit(
  entries: string[],
  edit: MemoryEdit,
  limit: number,
  label: string,
): { entries: string[]; changed: boolean; note: string } {
  let next: string[];
  let note: string;
  switch (edit.action) {
    case 'add': {
      const content = validContent(edit.content);
      if (entries.includes(content))
        return { entries, changed: false, note: 'Already saved; nothing changed.' };
      next = [...entries, content];
      note = `Added to ${label}.`;
      break;
    }
    case 'replace': {
      const content = validContent(edit.content);
      const i = findUnique(entries, edit.oldText, limit, label);
      next = entries.map((e, j) => (j === i ? content : e));
      note = `Replaced an entry in ${label}.`;
      break;
    }
    case 'remove': {
      const i = findUnique(entries, edit.oldText, limit, label);
      next = entries.filter((_, j) => j !== i);
      note = `Removed an entry from ${label}.`;
      break;
    }
  }
  const before = countChars(entries);
  const after = countChars(next);
  if (after > limit && after > before) {
    throw new MemoryEditError(
      `Not saved: ${label} would grow to ${after.toLocaleString('en-US')} chars, over its ` +
        `${limit.toLocaleString('en-US')}-char limit. Make room first: merge or shorten entries with ` +
        `\`replace\`, or drop stale ones with \`remove\`.\n\n${describeEntries(entries, limit, label)}`,
    );
  }
  return { entries: next, changed: true, note };
}

/** The entries with their usage, as the model sees them in errors. */
export function describeEntries(entries: string[], limit: number, label: string): string {
  const head = `Current ${label} (${formatUsage(countChars(entries), limit)}):`;
  if (!entries.length) return `${head}\n(empty)`;
  return `${head}\n${joinEntries(entries)}`;
}

function findUnique(entries: string[], oldText: string, limit: number, label: string): number {
  const needle = oldText.trim();
  if (!needle) throw new MemoryEditError('`old_text` is empty: give a short piece of the entry to change.');
  const hits = entries.flatMap((e, i) => (e.includes(needle) ? [i] : []));
  if (hits.length === 1) return hits[0]!;
  if (hits.length === 0)
    throw new MemoryEditError(
      `No entry in ${label} contains ${JSON.stringify(needle)}.\n\n${describeEntries(entries, limit, label)}`,
    );
  throw new MemoryEditError(
    `${hits.length} entries in ${label} contain ${JSON.stringify(needle)}; give a longer piece that ` +
      `matches only one:\n${hits.map((i) => `- ${preview(entries[i]!)}`).join('\n')}`,
  );
}

function validContent(content: string): string {
  const text = content.replace(/\r\n?/g, '\n').trim();
  if (!text) throw new MemoryEditError('`content` is empty: say what to remember.');
  if (DELIMITER_LINE.test(text))
    throw new MemoryEditError(
      `\`content\` may not contain a line holding only "${ENTRY_DELIMITER}" (the entry separator).`,
    );
  return text;
}

function joinEntries(entries: string[]): string {
  return entries.join(`\n${ENTRY_DELIMITER}\n`);
}

function trimBlankLines(s: string): string {
  return s.replace(/^(\s*\n)+/, '').trimEnd();
}

const BULLET = /^[-*+] /;

function splitBulletList(paragraph: string): string[] {
  const lines = paragraph.split('\n');
  if (!BULLET.test(lines[0]!)) return [paragraph];
  // A top-level bullet starts an entry; indented lines continue it.
  if (!lines.every((l) => BULLET.test(l) || /^\s+\S/.test(l))) return [paragraph];
  const out: string[] = [];
  for (const line of lines) {
    if (BULLET.test(line)) out.push(line);
    else out[out.length - 1] += `\n${line}`;
  }
  return out;
}

function preview(entry: string): string {
  const oneLine = entry.replace(/\s+/g, ' ');
  return oneLine.length > 80 ? `${oneLine.slice(0, 77)}…` : oneLine;
}
