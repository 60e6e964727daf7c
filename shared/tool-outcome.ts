/**
 * How a tool call ended, and the words every surface uses for it. Only `completed` means the
 * tool did what it was asked. ACP has no status for the others: they travel as
 * `status: failed`, with the outcome in `_meta.cairn.outcome` and `rawOutput.outcome`.
 * Pure: the agent server, the CLI and the webview all import it.
 */
export type ToolCallOutcome = 'completed' | 'failed' | 'rejected' | 'cancelled';

const OUTCOMES: readonly ToolCallOutcome[] = ['completed', 'failed', 'rejected', 'cancelled'];

export function isToolCallOutcome(value: unknown): value is ToolCallOutcome {
  return typeof value === 'string' && (OUTCOMES as readonly string[]).includes(value);
}

/**
 * The sentence shown for a call that did not complete: `Failed: <reason>`, and for rejected
 * or cancelled calls the reason itself (a full sentence) or the plain default.
 */
export function outcomeText(outcome: Exclude<ToolCallOutcome, 'completed'>, reason?: string): string {
  switch (outcome) {
    case 'failed':
      return reason ? `Failed: ${reason}` : 'Failed';
    case 'rejected':
      return reason ?? 'Rejected by the user';
    case 'cancelled':
      return reason ?? 'Cancelled';
  }
}

/** What a client can tell about a tool call update's ending, from what Cairn sends. */
export interface ReadOutcome {
  outcome: ToolCallOutcome;
  reason?: string;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * The outcome of a finished ACP tool call. A `failed` status says which from Cairn's
 * `_meta.cairn`, else `rawOutput.outcome`, else it is plain `failed` (another agent, or a
 * replay from before outcomes were sent).
 * Undefined while the call has not finished.
 */
export function readToolOutcome(update: {
  status?: string | null;
  rawOutput?: unknown;
  _meta?: unknown;
}): ReadOutcome | undefined {
  if (update.status === 'completed') return { outcome: 'completed' };
  if (update.status !== 'failed') return undefined;
  const sources = [record(record(update._meta)?.cairn), record(update.rawOutput)];
  for (const source of sources) {
    if (source && isToolCallOutcome(source.outcome) && source.outcome !== 'completed') {
      return {
        outcome: source.outcome,
        ...(typeof source.reason === 'string' ? { reason: source.reason } : {}),
      };
    }
  }
  return { outcome: 'failed' };
}
