// Compact "+added −removed" figures for a diff, as the cards show them.
import { diffLines } from 'diff';

export type LineChanges = { added: number; removed: number };

const cache = new WeakMap<object, LineChanges>();

function lineCount(text: string): number {
  if (text === '') return 0;
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

/**
 * Counts changed lines. Very different large texts give up after a bounded
 * amount of work and report a full rewrite, which is what the user sees anyway.
 */
export function countLineChanges(oldText: string | null | undefined, newText: string): LineChanges {
  const before = oldText ?? '';
  const changes = diffLines(before, newText, { maxEditLength: 4000 });
  if (!changes) return { added: lineCount(newText), removed: lineCount(before) };
  let added = 0;
  let removed = 0;
  for (const change of changes) {
    if (change.added) added += change.count ?? lineCount(change.value);
    else if (change.removed) removed += change.count ?? lineCount(change.value);
  }
  return { added, removed };
}

/** `countLineChanges` memoised on the (immutable) diff object. */
export function diffChanges(diff: { oldText?: string | null; newText: string }): LineChanges {
  let found = cache.get(diff);
  if (!found) {
    found = countLineChanges(diff.oldText, diff.newText);
    cache.set(diff, found);
  }
  return found;
}

export function formatChanges({ added, removed }: LineChanges): string {
  return `+${added} −${removed}`;
}
