import { userText, type ChatMessage } from '../core/messages.js';

/** About four characters a token: the same rough count compaction uses for models that report none. */
const CHARS_PER_TOKEN = 4;
/** `--compress` alone: a tool output longer than this keeps its head and tail. */
export const DEFAULT_OUTPUT_TOKENS = 2000;
/** `--max-tokens` never cuts a tool output below this: less says nothing. */
export const MIN_OUTPUT_TOKENS = 100;

export function estimateTextTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** What a message costs, as exported: its text, tool call arguments and tool output. */
export function estimateMessageTokens(m: ChatMessage): number {
  switch (m.role) {
    case 'user':
      return estimateTextTokens(userText(m.content));
    case 'assistant':
      return (
        estimateTextTokens(m.content) +
        (m.toolCalls ?? []).reduce((sum, c) => sum + estimateTextTokens(c.name + c.arguments), 0)
      );
    default:
      return estimateTextTokens(m.content);
  }
}

export interface CompressOptions {
  /** Longest a tool output may stay, in tokens (head and tail kept). */
  outputTokens?: number;
  /** The whole conversation's budget: tool outputs are cut further until it fits. */
  maxTokens?: number;
}

export interface Compressed {
  messages: ChatMessage[];
  tokensBefore: number;
  tokensAfter: number;
  /** Tool outputs shortened. */
  outputsCut: number;
  /** Still over `maxTokens`: what is left is not tool output, and that is never cut. */
  overBudget: boolean;
}

/**
 * Shortens long tool outputs (only those: what the user and the model said is kept whole) to
 * their head and tail with a marker between, so a conversation fits a token budget. Every
 * output gets the same cap, the largest that fits the budget, so the longest are cut first.
 */
export function compressMessages(messages: readonly ChatMessage[], opts: CompressOptions): Compressed {
  const costs = messages.map(estimateMessageTokens);
  const tokensBefore = costs.reduce((a, b) => a + b, 0);
  const outputs = messages.flatMap((m, i) => (m.role === 'tool' ? [costs[i]!] : []));
  const fixed = tokensBefore - outputs.reduce((a, b) => a + b, 0);
  let cap = opts.outputTokens ?? Infinity;
  if (opts.maxTokens !== undefined && costAtCap(fixed, outputs, cap) > opts.maxTokens)
    cap = Math.min(cap, largestCapWithin(fixed, outputs, opts.maxTokens));
  let outputsCut = 0;
  const out = messages.map((m, i) => {
    if (m.role !== 'tool' || costs[i]! <= cap) return m;
    outputsCut++;
    return { ...m, content: headAndTail(m.content, cap * CHARS_PER_TOKEN) };
  });
  const tokensAfter = outputsCut ? out.reduce((sum, m) => sum + estimateMessageTokens(m), 0) : tokensBefore;
  return {
    messages: out,
    tokensBefore,
    tokensAfter,
    outputsCut,
    overBudget: opts.maxTokens !== undefined && tokensAfter > opts.maxTokens,
  };
}

/** Allowance for the marker in a cut output, in tokens. */
const MARKER_TOKENS = 32;

function costAtCap(fixed: number, outputs: readonly number[], cap: number): number {
  return outputs.reduce((sum, size) => sum + (size > cap ? cap + MARKER_TOKENS : size), fixed);
}

/** The largest per-output cap (at least MIN_OUTPUT_TOKENS) whose total fits `budget`. */
function largestCapWithin(fixed: number, outputs: readonly number[], budget: number): number {
  let low = MIN_OUTPUT_TOKENS;
  let high = Math.max(low, ...outputs);
  if (costAtCap(fixed, outputs, low) > budget) return low;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (costAtCap(fixed, outputs, mid) <= budget) low = mid;
    else high = mid - 1;
  }
  return low;
}

/**
 * The first and last halves of `keepChars`, cut at line ends when one is near, with a marker
 * saying how much was left out. Never splits a UTF-16 surrogate pair.
 */
export function headAndTail(text: string, keepChars: number): string {
  if (text.length <= keepChars) return text;
  const half = Math.floor(keepChars / 2);
  let headEnd = half;
  const lineEnd = text.lastIndexOf('\n', headEnd);
  if (lineEnd > half * 0.8) headEnd = lineEnd + 1;
  let tailStart = text.length - half;
  const lineStart = text.indexOf('\n', tailStart);
  if (lineStart >= 0 && lineStart < tailStart + half * 0.2) tailStart = lineStart + 1;
  headEnd = surrogateSafe(text, headEnd);
  tailStart = surrogateSafe(text, tailStart);
  const cut = tailStart - headEnd;
  const marker = `[… ${cut.toLocaleString('en-US')} characters (~${estimateTextTokens(text.slice(headEnd, tailStart)).toLocaleString('en-US')} tokens) of tool output cut by cairn export --compress …]`;
  const head = text.slice(0, headEnd);
  return `${head}${head.endsWith('\n') ? '' : '\n'}${marker}\n${text.slice(tailStart)}`;
}

/** Moves an index off the low half of a surrogate pair. */
function surrogateSafe(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return code >= 0xdc00 && code <= 0xdfff ? index - 1 : index;
}
