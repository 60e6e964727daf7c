import type { TokenUsage } from '../core/model-client.js';

/** Tokens (and money, when known) summed over model requests: one turn's, or a session's. */
export interface UsageTotals {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  reasoningTokens: number;
  /** US dollars; undefined until a request's cost is known. */
  costUsd?: number;
  /** Requests whose cost was not known: a total with some is a lower bound. */
  requestsWithoutCost: number;
}

export function emptyUsage(): UsageTotals {
  return {
    inputTokens: 0,
    outputTokens: 0,
    cachedInputTokens: 0,
    reasoningTokens: 0,
    requestsWithoutCost: 0,
  };
}

/** Adds one request's usage to `totals` (in place). */
export function addUsage(totals: UsageTotals, usage: TokenUsage): void {
  totals.inputTokens += usage.inputTokens;
  totals.outputTokens += usage.outputTokens;
  totals.cachedInputTokens += usage.cachedInputTokens ?? 0;
  totals.reasoningTokens += usage.reasoningTokens ?? 0;
  if (usage.costUsd === undefined) totals.requestsWithoutCost++;
  else totals.costUsd = (totals.costUsd ?? 0) + usage.costUsd;
}

/** "$0.0123", with the precision small amounts need. */
export function formatUsd(amount: number): string {
  return `$${amount >= 1 ? amount.toFixed(2) : amount.toFixed(4)}`;
}

/** The `/status` lines for a session's usage. */
export function usageLines(totals: UsageTotals): string[] {
  const n = (x: number) => x.toLocaleString('en-US');
  const extra = [
    totals.cachedInputTokens ? `${n(totals.cachedInputTokens)} cached` : '',
    totals.reasoningTokens ? `${n(totals.reasoningTokens)} reasoning` : '',
  ].filter(Boolean);
  const lines = [
    `Tokens: ${n(totals.inputTokens)} in, ${n(totals.outputTokens)} out` +
      (extra.length ? ` (${extra.join(', ')})` : ''),
  ];
  if (totals.costUsd !== undefined) {
    const partial = totals.requestsWithoutCost
      ? ` (at least: ${totals.requestsWithoutCost} request${totals.requestsWithoutCost === 1 ? '' : 's'} without a known cost)`
      : '';
    lines.push(`Cost: ${formatUsd(totals.costUsd)}${partial}`);
  } else if (totals.inputTokens || totals.outputTokens) {
    lines.push(
      'Cost: not known (the provider reports none; set model.prices in config.json for an estimate)',
    );
  }
  return lines;
}
