import * as path from 'node:path';
import { nextRunAfter } from './job-schedule.js';
import type { JobStore } from './job-store.js';
import type { Job, JobRun } from './job-types.js';
import { ProcessLock } from './process-lock.js';

/** A due time further back than this when the scheduler sees it was missed, not just reached. */
export const MISSED_AFTER_MS = 2 * 60_000;

export interface JobSchedulerOptions {
  store: JobStore;
  /** Runs one job (the real one: `runJob`); the scheduler only decides when. */
  run: (job: Job) => Promise<JobRun>;
  now?: () => number;
  log?: (line: string) => void;
}

/** Another scheduler holds the lock. */
export class SchedulerAlreadyRunningError extends Error {
  override name = 'SchedulerAlreadyRunningError';
  constructor(readonly pid: number | undefined) {
    super(
      `A Cairn job scheduler is already running${pid ? ` (pid ${pid})` : ''}; only one may run at a time.`,
    );
  }
}

/**
 * Decides which jobs are due and starts them: one scheduler per Cairn home (a lock file), a
 * job never started while its previous run is going, and a run missed while nothing was
 * watching (the machine asleep) made up once, not once per missed slot.
 */
export class JobScheduler {
  private readonly lock: ProcessLock;
  private readonly running = new Map<string, Promise<void>>();
  private readonly now: () => number;
  private readonly log: (line: string) => void;

  constructor(private readonly opts: JobSchedulerOptions) {
    this.lock = new ProcessLock(path.join(opts.store.dir, 'scheduler.lock'));
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? ((line) => process.stderr.write(`${line}\n`));
  }

  /** Takes the scheduler lock; throws SchedulerAlreadyRunningError when another holds it. */
  async start(): Promise<void> {
    if (!(await this.lock.acquire())) throw new SchedulerAlreadyRunningError(await this.lock.owner());
  }

  /** Starts every due job that is not already running; returns the ids started. */
  async tick(): Promise<string[]> {
    const now = this.now();
    const started: string[] = [];
    for (const job of await this.opts.store.list()) {
      if (job.paused || this.running.has(job.id)) continue;
      const due = nextRunAfter(job.schedule, job.createdAt, job.checkedAt);
      if (due === undefined || due > now) continue;
      // Marked before it runs: a crash mid-run does not make the job fire again at once.
      await this.opts.store.update(job.id, (j) => ({ ...j, checkedAt: now }));
      if (job.catchUp === 'skip' && now - due > MISSED_AFTER_MS) {
        this.log(
          `cairn jobs: ${job.name} (${job.id}) missed its run at ${new Date(due).toISOString()}; skipped (--catch-up skip)`,
        );
        continue;
      }
      started.push(job.id);
      this.running.set(job.id, this.runOne(job));
    }
    return started;
  }

  /** Resolves when every run started so far has ended. */
  async idle(): Promise<void> {
    await Promise.all([...this.running.values()]);
  }

  async stop(): Promise<void> {
    await this.idle();
    await this.lock.release();
  }

  private async runOne(job: Job): Promise<void> {
    try {
      const run = await this.opts.run(job);
      this.log(`cairn jobs: ${job.name} (${job.id}) ${run.outcome}${run.error ? `: ${run.error}` : ''}`);
    } catch (err) {
      this.log(`cairn jobs: ${job.name} (${job.id}) did not run: ${(err as Error).message}`);
    } finally {
      this.running.delete(job.id);
    }
  }
}
