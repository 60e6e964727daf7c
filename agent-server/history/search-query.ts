/**
 * Turning what a user or model types into an FTS4 MATCH expression, and ranking matches
 * with BM25 computed from FTS4's `matchinfo(..., 'pcnalx')` (FTS4 has no built-in ranking).
 */

// Words that carry no topic; dropped so "what did we decide about X" still requires X.
export const STOPWORDS = new Set(
  (
    'a an and are as at be been but by did do does for from had has have how i if in into is it its ' +
    'me my of on or our so that the their them then there these they this to was we were what when ' +
    'where which who why will with you your about any can could should would us let lets'
  ).split(' '),
);

export interface MatchExpressions {
  /** Every term must occur. */
  all: string;
  /** Any term may occur; ranked lower than `all` hits. Undefined when there is one term. */
  any?: string;
}

/**
 * `"exact phrase"` stays a phrase, `word*` is a prefix, everything else is a plain term.
 * Returns undefined when nothing searchable is left.
 */
export function toMatchExpressions(text: string): MatchExpressions | undefined {
  const terms: string[] = [];
  const phraseRe = /"([^"]*)"/g;
  for (const m of text.matchAll(phraseRe)) {
    const words = wordsOf(m[1]!);
    if (words.length) terms.push(`"${words.join(' ')}"`);
  }
  const rest = text.replace(phraseRe, ' ');
  const plain: string[] = [];
  for (const raw of rest.split(/\s+/)) {
    const prefix = /^[\p{L}\p{N}_]{2,}\*$/u.test(raw);
    const words = wordsOf(raw);
    if (!words.length) continue;
    // "session_search" or "foo.bar" become phrases, as the tokenizer splits them.
    plain.push(
      prefix && words.length === 1
        ? `${words[0]}*`
        : words.length > 1
          ? `"${words.join(' ')}"`
          : `"${words[0]}"`,
    );
  }
  const meaningful = plain.filter((t) => !STOPWORDS.has(t.replace(/^"|"\*?$|\*$/g, '').toLowerCase()));
  terms.push(...(meaningful.length || terms.length ? meaningful : plain));
  const unique = [...new Set(terms)];
  if (!unique.length) return undefined;
  return { all: unique.join(' '), any: unique.length > 1 ? unique.join(' OR ') : undefined };
}

function wordsOf(text: string): string[] {
  return text.match(/[\p{L}\p{N}]+/gu) ?? [];
}

const K1 = 1.2;
const B = 0.75;

/**
 * BM25 over a single-column FTS4 table from `matchinfo(t, 'pcx')`: p phrases, c columns, then
 * 3 ints per phrase and column: hits in this row, hits in all rows, rows with a hit. The row's
 * length, the row count and the average length come from the caller (the table is built with
 * `matchinfo=fts3`, which keeps no per-row sizes).
 */
export function bm25(matchinfo: Uint8Array, words: number, docs: number, avgWords: number): number {
  const m = matchinfo;
  const phrases = int(m, 0);
  const columns = int(m, 1);
  const norm = K1 * (1 - B + (B * words) / (avgWords || 1));
  let score = 0;
  for (let p = 0; p < phrases; p++) {
    for (let col = 0; col < columns; col++) {
      const x = 2 + 3 * (p * columns + col);
      const tf = int(m, x);
      if (!tf) continue;
      const df = int(m, x + 2);
      // The "+1" form keeps idf positive for terms found in more than half the rows.
      const idf = Math.log(1 + (docs - df + 0.5) / (df + 0.5));
      score += (idf * tf * (K1 + 1)) / (tf + norm);
    }
  }
  return score;
}

/**
 * The `i`th 32-bit integer of a matchinfo blob, read in place (little-endian, as SQLite writes
 * it): a typed-array view per row was a noticeable share of ranking thousands of matches.
 */
function int(m: Uint8Array, i: number): number {
  return (m[4 * i]! | (m[4 * i + 1]! << 8) | (m[4 * i + 2]! << 16) | (m[4 * i + 3]! << 24)) >>> 0;
}
