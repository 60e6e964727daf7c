/**
 * Invisible and direction-changing characters: text the user cannot see but the model reads.
 * Used to smuggle instructions (Unicode tag characters encode ASCII invisibly) or to make a
 * line look different from what it says (bidi overrides, "Trojan Source").
 *
 * Joiners that real scripts and emoji need are allowed in context: ZWJ inside emoji
 * sequences, ZWNJ/ZWJ next to non-Latin letters (Persian, Indic scripts), a BOM at the start.
 */

/** Always hidden: zero-width space, word joiner & invisible operators, bidi embeddings/overrides/isolates, tags, supplementary variation selectors. */
const ALWAYS_HIDDEN =
  /[\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\u206A-\u206F\uFFF9-\uFFFB]|[\u{E0000}-\u{E007F}]|[\u{E0100}-\u{E01EF}]/u;

const JOINERS = /[\u200C\u200D]/u;
const EMOJI = /[\p{Extended_Pictographic}\u{FE0F}\u{1F3FB}-\u{1F3FF}]/u;
const NON_LATIN_LETTER = /[\p{L}\p{M}]/u;
const ASCII = /[\x00-\x7F]/;

export interface HiddenRun {
  start: number;
  end: number;
  codePoints: number[];
}

function isHidden(chars: string[], i: number, offset: number): boolean {
  const ch = chars[i]!;
  if (ALWAYS_HIDDEN.test(ch)) return true;
  if (ch === '\uFEFF') return offset !== 0;
  // Soft hyphen is invisible unless a line breaks there; legitimate text rarely needs it.
  if (ch === '\u00AD') return true;
  if (JOINERS.test(ch)) {
    const before = chars[i - 1] ?? '';
    const after = chars[i + 1] ?? '';
    if (ch === '\u200D' && EMOJI.test(before) && EMOJI.test(after)) return false;
    const scriptLetter = (c: string) => c !== '' && NON_LATIN_LETTER.test(c) && !ASCII.test(c);
    if (scriptLetter(before) || scriptLetter(after)) return false;
    return true;
  }
  return false;
}

/** Every character isHidden may flag: a cheap test that lets ordinary text skip the per-character walk. */
const CANDIDATE =
  /[\u00AD\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB]|[\u{E0000}-\u{E007F}]|[\u{E0100}-\u{E01EF}]/u;

/** Runs of hidden characters with their UTF-16 offsets, in order. */
export function findHiddenRuns(text: string): HiddenRun[] {
  const runs: HiddenRun[] = [];
  if (!CANDIDATE.test(text)) return runs;
  const chars = Array.from(text);
  let offset = 0;
  let current: HiddenRun | undefined;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (isHidden(chars, i, offset)) {
      if (current && current.end === offset) {
        current.end += ch.length;
        current.codePoints.push(ch.codePointAt(0)!);
      } else {
        current = { start: offset, end: offset + ch.length, codePoints: [ch.codePointAt(0)!] };
        runs.push(current);
      }
    }
    offset += ch.length;
  }
  return runs;
}

/** ASCII hidden in Unicode tag characters (U+E0020–U+E007E), which is how tag smuggling carries text. */
export function decodeTagText(codePoints: number[]): string {
  return codePoints
    .filter((cp) => cp >= 0xe0020 && cp <= 0xe007e)
    .map((cp) => String.fromCharCode(cp - 0xe0000))
    .join('');
}

export function describeHidden(codePoints: number[]): string {
  const unique = [...new Set(codePoints.map((cp) => cp.toString(16).toUpperCase().padStart(4, '0')))];
  const shown = unique.slice(0, 3).map((hex) => `U+${hex}`);
  if (unique.length > 3) shown.push('…');
  return `invisible Unicode (${shown.join(', ')})`;
}
