/**
 * Where a piece of learning (a memory entry, a skill change) came from. Kept beside the entry,
 * never in the text the model reads; an entry with no record was written by hand.
 */
export interface Provenance {
  /** The Cairn session that wrote it. */
  sessionId: string;
  /** ISO time of the write. */
  date: string;
  /** The session's workspace folder. */
  project: string;
  /** The first line of the prompt that led to it (cut to PROMPT_LINE_MAX characters). */
  prompt: string;
}

export const BY_HAND = 'by hand';
const PROMPT_LINE_MAX = 160;

/** The first non-empty line of a prompt, cut to a readable length. */
export function firstLine(text: string): string {
  const line =
    text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .find(Boolean) ?? '';
  return line.length > PROMPT_LINE_MAX ? `${line.slice(0, PROMPT_LINE_MAX - 1)}…` : line;
}

/** `session 1a2b…, 2025-03-01, /work/app: "fix the flaky test"`, or `by hand`. */
export function describeProvenance(p: Provenance | undefined): string {
  if (!p) return BY_HAND;
  const prompt = p.prompt ? `: "${p.prompt}"` : '';
  return `session ${p.sessionId}, ${p.date.slice(0, 10)}, ${p.project}${prompt}`;
}

/** Accepts only a well-formed record (sidecar files can be edited by hand). */
export function asProvenance(value: unknown): Provenance | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  if (
    typeof v.sessionId !== 'string' ||
    typeof v.date !== 'string' ||
    typeof v.project !== 'string' ||
    typeof v.prompt !== 'string'
  )
    return undefined;
  return { sessionId: v.sessionId, date: v.date, project: v.project, prompt: v.prompt };
}
