import type { SessionOriginSummary } from '../shared/webview-protocol.js';

/**
 * What session/list's `_meta.cairn` says of a session (where it came from, whether a job's
 * result is still unseen), as the history list shows it; absent fields when it says nothing.
 */
export function listedOrigin(meta: unknown): { origin?: SessionOriginSummary; unseen?: boolean } {
  const cairn = record(record(meta)?.cairn);
  if (!cairn) return {};
  const origin = record(cairn.origin);
  const out: { origin?: SessionOriginSummary; unseen?: boolean } = {};
  if (origin && typeof origin.kind === 'string') {
    out.origin = {
      kind: origin.kind,
      ...(typeof origin.jobName === 'string' ? { jobName: origin.jobName } : {}),
      ...(typeof origin.outcome === 'string' ? { outcome: origin.outcome } : {}),
    };
  }
  if (cairn.unseen === true) out.unseen = true;
  return out;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
