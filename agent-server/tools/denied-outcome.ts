import type { PermissionOutcome } from '../permissions/gate.js';
import type { ToolResult } from './types.js';

/**
 * How a call the gate did not allow ended, for the user: rejected (by the user now, by an
 * earlier "always reject", or by a read-only mode) or cancelled before anyone answered.
 */
export function deniedOutcome(
  decision: Extract<PermissionOutcome, { allowed: false }>,
): Pick<ToolResult, 'outcome' | 'reason' | 'refusal'> {
  switch (decision.reason) {
    case 'cancelled':
      return { outcome: 'cancelled', reason: 'Cancelled before the user answered' };
    case 'mode':
      return { outcome: 'rejected', reason: decision.message, refusal: 'mode' };
    case 'rejected':
      return { outcome: 'rejected', reason: 'Rejected by the user', refusal: 'permission' };
  }
}
