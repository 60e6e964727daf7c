/**
 * Snippets for search hits, made from the message text read back from the journal (the index
 * keeps no text). The index stems words (porter), so a word counts as a hit when it starts
 * with the query term's stem, roughly: "deciding" for "decide", "tests" for "test".
 */

import { STOPWORDS } from './search-query.js';

const SNIPPET_WORDS = 24;

/** Lowercase stems of the query's words (`word*` keeps its prefix). */
export function termsOf(query: string): string[] {
  const words = query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const meaningful = words.filter((w) => !STOPWORDS.has(w));
  return [...new Set((meaningful.length ? meaningful : words).map(stem))];
}

function stem(word: string): string {
  if (word.length <= 3) return word;
  const cut = word.replace(/(ing|ed|es|s|e|y|ly|ion|ions|ment|ments)$/, '');
  return cut.length >= 3 ? cut : word;
}

function isHit(word: string, terms: string[]): boolean {
  const w = word.toLowerCase();
  return terms.some((t) => (t.length <= 3 ? w === t : w.startsWith(t)));
}

/** About SNIPPET_WORDS words around the first hit, hits wrapped in `[` `]`, cuts marked `…`. */
export function snippetOf(text: string, terms: string[]): string {
  const tokens = text.split(/(\s+)/).filter((t) => t.length > 0);
  const words = tokens.filter((t) => !/^\s+$/.test(t));
  if (!words.length) return '';
  const core = (w: string) => w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
  const first = Math.max(
    0,
    words.findIndex((w) => isHit(core(w), terms)),
  );
  const from = Math.max(0, Math.min(first - Math.floor(SNIPPET_WORDS / 3), words.length - SNIPPET_WORDS));
  const to = Math.min(words.length, from + SNIPPET_WORDS);
  const shown = words.slice(from, to).map((w) => {
    const c = core(w);
    if (!c || !isHit(c, terms)) return w;
    const at = w.indexOf(c);
    return `${w.slice(0, at)}[${c}]${w.slice(at + c.length)}`;
  });
  return `${from > 0 ? '…' : ''}${shown.join(' ')}${to < words.length ? '…' : ''}`;
}
