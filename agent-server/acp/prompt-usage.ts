import type * as unstable from '@agentclientprotocol/sdk/unstable';
import type { UsageTotals } from '../runtime/session-usage.js';

/**
 * A turn's tokens as the unstable `usage` field of ACP's PromptResponse (SDK 2.4). The cost,
 * which that type has no field for, rides in `_meta.cairn.costUsd` when it is known.
 */
export function promptUsage(turn: UsageTotals | undefined): { usage?: unstable.Usage } {
  if (!turn) return {};
  return {
    usage: {
      inputTokens: turn.inputTokens,
      outputTokens: turn.outputTokens,
      totalTokens: turn.inputTokens + turn.outputTokens,
      ...(turn.cachedInputTokens ? { cachedReadTokens: turn.cachedInputTokens } : {}),
      ...(turn.reasoningTokens ? { thoughtTokens: turn.reasoningTokens } : {}),
      ...(turn.costUsd !== undefined ? { _meta: { cairn: { costUsd: turn.costUsd } } } : {}),
    },
  };
}
