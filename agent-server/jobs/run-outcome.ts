import type { HeadlessRunResult } from './headless-session.js';
import type { JobGrantsPrompter } from './job-grants.js';
import type { JobRunOutcome } from './job-types.js';

export interface Refusal {
  title: string;
  reason: string;
}

/** What was refused in a headless run, with the prompter's reason when it was the one refusing. */
export function refusalsOf(result: HeadlessRunResult, prompter: JobGrantsPrompter): Refusal[] {
  return result.toolCalls
    .filter((c) => c.refused)
    .map((c) => ({ title: c.title, reason: prompter.reasons.get(c.toolCallId) ?? c.reason ?? 'refused' }));
}

/** Only a turn that ended normally, with nothing refused, is `completed`. */
export function outcomeOf(result: HeadlessRunResult, anyRefused: boolean): JobRunOutcome {
  if (result.stopReason === 'cancelled') return 'cancelled';
  if (result.error || result.stopReason !== 'end_turn') return 'failed';
  return anyRefused ? 'refused' : 'completed';
}
