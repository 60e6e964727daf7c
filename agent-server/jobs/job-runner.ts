import * as path from 'node:path';
import type { RuntimeServices } from '../runtime/services.js';
import { runHeadlessSession, type HeadlessRunResult } from './headless-session.js';
import { JobGrantsPrompter } from './job-grants.js';
import { JobRunMarks } from './job-run-marks.js';
import type { JobStore } from './job-store.js';
import type { Job, JobRun } from './job-types.js';
import { outcomeOf, refusalsOf } from './run-outcome.js';
import { ProcessLock } from './process-lock.js';

const ANSWER_LIMIT = 4000;

/** The job is already running (here or in another process): runs never overlap themselves. */
export class JobAlreadyRunningError extends Error {
  override name = 'JobAlreadyRunningError';
  constructor(readonly job: Job) {
    super(`Job ${job.name} (${job.id}) is already running; wait for that run to finish.`);
  }
}

export interface RunJobOptions {
  store: JobStore;
  services: RuntimeServices;
  trigger: JobRun['trigger'];
  now?: () => Date;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** `Job <name> · 2026-12-01 09:00`: how a run is named in history (and found there). */
export function jobRunTitle(job: Job, startedAt: Date): string {
  const when = startedAt.toISOString().slice(0, 16).replace('T', ' ');
  return `Job ${job.name} · ${when} UTC`;
}

/**
 * Runs a job once as a recorded session, headless, with the permissions fixed at its creation,
 * and appends the run (outcome, answer, what was refused) to the job's journal. Holds the
 * job's lock while it runs, so it never overlaps itself, across processes too.
 */
export async function runJob(job: Job, opts: RunJobOptions): Promise<JobRun> {
  const now = opts.now ?? (() => new Date());
  const lock = new ProcessLock(path.join(opts.store.dir, 'locks', `${job.id}.lock`));
  if (!(await lock.acquire())) throw new JobAlreadyRunningError(job);
  const startedAt = now();
  try {
    const prompter = new JobGrantsPrompter(job.grants);
    const result = await runHeadlessSession(
      opts.services,
      {
        cwd: job.cwd,
        prompt: job.prompt,
        mode: job.grants.mode,
        prompter,
        title: jobRunTitle(job, startedAt),
        origin: { kind: 'job', jobId: job.id, jobName: job.name },
        ...(opts.signal ? { signal: opts.signal } : {}),
      },
      opts.log ?? ((line) => process.stderr.write(`${line}\n`)),
    );
    const run = runRecord(job, opts.trigger, startedAt, now(), result, prompter);
    await opts.store.appendRun(run);
    if (run.sessionId)
      // Editors list the run as unseen, with its outcome, until someone opens it.
      await new JobRunMarks(opts.services.home)
        .markRun(run.sessionId, { jobId: job.id, outcome: run.outcome, endedAt: run.endedAt })
        .catch((err: unknown) =>
          (opts.log ?? ((line) => process.stderr.write(`${line}\n`)))(
            `cairn jobs: run of ${job.name} not marked unseen: ${(err as Error).message}`,
          ),
        );
    return run;
  } finally {
    await lock.release();
  }
}

function runRecord(
  job: Job,
  trigger: JobRun['trigger'],
  startedAt: Date,
  endedAt: Date,
  result: HeadlessRunResult,
  prompter: JobGrantsPrompter,
): JobRun {
  const refused = refusalsOf(result, prompter);
  return {
    jobId: job.id,
    startedAt: startedAt.getTime(),
    endedAt: endedAt.getTime(),
    trigger,
    outcome: outcomeOf(result, refused.length > 0),
    ...(result.sessionId ? { sessionId: result.sessionId } : {}),
    ...(result.stopReason ? { stopReason: result.stopReason } : {}),
    ...(result.error ? { error: result.error } : {}),
    answer: result.answer.length > ANSWER_LIMIT ? `${result.answer.slice(0, ANSWER_LIMIT)}…` : result.answer,
    refused,
  };
}
