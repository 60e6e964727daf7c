import type { SessionMode } from '../permissions/policy.js';

/** Modes a job may run in: nobody is there to answer, so `ask` makes no sense. */
export const JOB_MODES = ['plan', 'accept-edits', 'auto'] as const satisfies readonly SessionMode[];
export type JobMode = (typeof JOB_MODES)[number];

export function isJobMode(value: string): value is JobMode {
  return (JOB_MODES as readonly string[]).includes(value);
}

/** When a job runs: a cron expression (5 or 6 fields) or a fixed interval from its creation. */
export type JobSchedule = { kind: 'cron'; expression: string } | { kind: 'every'; ms: number; text: string };

/** What a job may do, fixed when it is created. Anything else is refused and listed. */
export interface JobGrants {
  mode: JobMode;
  /** Commands that may run (`*` matches anything), e.g. `npm test`, `git log *`. */
  allowCommands: string[];
}

/** A scheduled job as stored in Cairn's home (`jobs/jobs.json`). */
export interface Job {
  id: string;
  name: string;
  prompt: string;
  cwd: string;
  schedule: JobSchedule;
  grants: JobGrants;
  paused: boolean;
  /** A run missed while no scheduler was watching (the machine asleep): made up once, or skipped. */
  catchUp: 'once' | 'skip';
  createdAt: number;
  /** When the scheduler last considered the job (a run started, or the time it was added). */
  checkedAt: number;
}

export type JobRunOutcome = 'completed' | 'failed' | 'cancelled' | 'refused';

/** One run of a job, appended to `jobs/runs/<job id>.jsonl`. */
export interface JobRun {
  jobId: string;
  startedAt: number;
  endedAt: number;
  trigger: 'schedule' | 'manual';
  /** `refused`: the run ended, but something it tried was refused (listed in `refused`). */
  outcome: JobRunOutcome;
  /** The session in history (absent when it never started). */
  sessionId?: string;
  stopReason?: string;
  error?: string;
  /** The final answer (its last assistant text), shortened. */
  answer: string;
  refused: Array<{ title: string; reason: string }>;
}
