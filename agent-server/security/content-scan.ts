import { THREAT_RULES } from './threat-patterns.js';
import { decodeTagText, describeHidden, findHiddenRuns, stripHidden } from './invisible-unicode.js';

/**
 * Content-safety scanner for text that reaches the system prompt from outside the user's
 * message: curated memory, workspace context files (AGENTS.md), skills. Pure and synchronous.
 *
 * Text is judged one logical line at a time: a soft-wrapped paragraph is joined (so an
 * instruction split over two lines is still seen), while list items, headings, quotes,
 * table rows and code-fence lines stand alone (so one bad bullet does not take its
 * neighbours with it).
 */

export type ContentSource = 'memory' | 'context' | 'skill';

export type ScanResult = { ok: true } | { ok: false; reasons: string[] };

// `source` is part of the contract so callers can say what they scan; the rules are the same
// for all three today because each lands in the system prompt with the same authority.
export function scanContent(text: string, source: ContentSource): ScanResult {
  const reasons = new Set<string>();
  for (const finding of findThreats(text, source)) for (const r of finding.reasons) reasons.add(r);
  return reasons.size ? { ok: false, reasons: [...reasons] } : { ok: true };
}

/**
 * The text with every offending logical line replaced by a visible `[blocked: reason]` marker
 * (list markers and indentation kept) and invisible characters replaced in place. `blocked`
 * lists what was removed, with 1-based line numbers.
 */
export function neutralise(text: string, source: ContentSource): { text: string; blocked: string[] } {
  const lines = text.split('\n');
  const blocked: string[] = [];
  const dropped = new Set<number>();
  for (const finding of findThreats(text, source)) {
    const where =
      finding.lines.length > 1
        ? `lines ${finding.lines[0]! + 1}-${finding.lines.at(-1)! + 1}`
        : `line ${finding.lines[0]! + 1}`;
    blocked.push(`${where}: ${finding.reasons.join('; ')}`);
    if (finding.wholeLine) {
      const first = lines[finding.lines[0]!]!;
      const lead = /^\s*(?:[-*+]\s+|\d+[.)]\s+|>\s*|#{1,6}\s+)?/.exec(first)![0];
      lines[finding.lines[0]!] = `${lead}[blocked: ${finding.reasons.join('; ')}]`;
      // The rest of a blocked paragraph goes with its first line.
      for (const i of finding.lines.slice(1)) dropped.add(i);
    } else {
      const i = finding.lines[0]!;
      lines[i] = replaceHidden(lines[i]!);
    }
  }
  return { text: lines.filter((_, i) => !dropped.has(i)).join('\n'), blocked };
}

interface Finding {
  /** 0-based physical line indices. */
  lines: number[];
  reasons: string[];
  /** false: only invisible characters were found; they are replaced in place. */
  wholeLine: boolean;
}

function replaceHidden(line: string): string {
  const runs = findHiddenRuns(line);
  let out = '';
  let last = 0;
  for (const run of runs) {
    out += line.slice(last, run.start) + `[blocked: ${describeHidden(run.codePoints)}]`;
    last = run.end;
  }
  return out + line.slice(last);
}

function findThreats(text: string, source: ContentSource): Finding[] {
  const findings: Finding[] = [];
  for (const logical of logicalLines(text)) {
    const raw = logical.lines.map((i) => logical.source[i]!).join(' ');
    const runs = findHiddenRuns(raw);
    const reasons: string[] = [];
    const visible = normalise(stripHidden(raw, runs));
    for (const rule of THREAT_RULES) if (rule.test(visible)) reasons.push(rule.reason);
    if (runs.length) {
      const codePoints = runs.flatMap((r) => r.codePoints);
      const smuggled = decodeTagText(codePoints);
      if (smuggled.trim()) {
        reasons.push(`${describeHidden(codePoints)} hiding text`);
        for (const rule of THREAT_RULES)
          if (rule.test(normalise(smuggled)) && !reasons.includes(rule.reason)) reasons.push(rule.reason);
      }
    }
    if (reasons.length) {
      findings.push({ lines: logical.lines, reasons, wholeLine: true });
    } else if (runs.length) {
      // Harmless-looking text with invisible characters: replace just the characters, per line.
      for (const i of logical.lines) {
        const lineRuns = findHiddenRuns(logical.source[i]!);
        if (lineRuns.length)
          findings.push({
            lines: [i],
            reasons: [describeHidden(lineRuns.flatMap((r) => r.codePoints))],
            wholeLine: false,
          });
      }
    }
  }
  void source;
  return findings;
}

/** Lines that start a Markdown block (list item, heading, quote, table row, fence, HTML, link definition). */
const BLOCK_START = /^\s*([-*+]\s|\d+[.)]\s|#|>|\||```|~~~|<|\[[^\]]*\]:\s)/;
/** Soft-wrapped paragraphs longer than this are judged in pieces, so one hit never blanks a whole page. */
const MAX_JOINED_LINES = 12;

function* logicalLines(text: string): Generator<{ source: string[]; lines: number[] }> {
  const source = text.split('\n');
  let inFence = false;
  let current: number[] = [];
  const flush = function* () {
    if (current.length) yield { source, lines: current };
    current = [];
  };
  for (let i = 0; i < source.length; i++) {
    const line = source[i]!;
    const fence = /^\s*(```|~~~)/.test(line);
    if (inFence || fence || line.trim() === '' || BLOCK_START.test(line) || /^\s{4,}\S/.test(line)) {
      yield* flush();
      if (line.trim() !== '') {
        current = [i];
        // Fenced and block-start lines stand alone, except a list item or quote may continue below.
        if (inFence || fence) yield* flush();
      }
      if (fence) inFence = !inFence;
      continue;
    }
    if (current.length >= MAX_JOINED_LINES) yield* flush();
    current.push(i);
  }
  yield* flush();
}

/** Look-alike letters from Cyrillic and Greek that attackers swap in to dodge ASCII patterns. */
const CONFUSABLES: Record<string, string> = {
  а: 'a',
  в: 'b',
  е: 'e',
  ѕ: 's',
  і: 'i',
  ј: 'j',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  ԁ: 'd',
  ɡ: 'g',
  ո: 'n',
  ս: 'u',
  α: 'a',
  ε: 'e',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
};
const CONFUSABLE_RE = new RegExp(`[${Object.keys(CONFUSABLES).join('')}]`, 'g');

function normalise(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(CONFUSABLE_RE, (c) => CONFUSABLES[c] ?? c)
    .replace(/[’‘]/g, "'")
    .replace(/[*_~]{2,}|(?<=\s)[*_](?=\w)|(?<=\w)[*_](?=\s|$)/g, '')
    .replace(/\s+/g, ' ');
}
