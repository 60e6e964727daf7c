import { strict as assert } from 'node:assert';
import * as fs from 'node:fs/promises';
import { describe, it } from 'node:test';
import { JobScheduler, SchedulerAlreadyRunningError } from '../../../agent-server/jobs/job-scheduler.js';
import { JobStore } from '../../../agent-server/jobs/job-store.js';
import type { Job, JobRun } from '../../../agent-server/jobs/job-types.js';
import { tempDir } from '../../helpers/env.js';
import { sampleJob } from './sample-job.js';

const MINUTE = 60_000;

function fakeRun(job: Job): JobRun {
  return {
    jobId: job.id,
    startedAt: 0,
    endedAt: 0,
    trigger: 'schedule',
    outcome: 'completed',
    answer: '',
    refused: [],
  };
}

describe('JobScheduler', () => {
  it('fires an --every 1m job when due (injected clock), once per slot, and skips paused jobs', async () => {
    const home = await tempDir('sched');
    try {
      const store = new JobStore(home);
      const job = await store.add(sampleJob({ createdAt: 0, checkedAt: 0 }));
      await store.add(sampleJob({ name: 'paused', paused: true }));
      let now = 30_000;
      const ran: string[] = [];
      const scheduler = new JobScheduler({
        store,
        now: () => now,
        run: async (j) => {
          ran.push(j.name);
          return fakeRun(j);
        },
        log: () => {},
      });
      await scheduler.start();
      assert.deepEqual(await scheduler.tick(), []);
      now = MINUTE + 1;
      assert.deepEqual(await scheduler.tick(), [job.id]);
      await scheduler.idle();
      assert.deepEqual(await scheduler.tick(), [], 'not again in the same slot');
      // Asleep for ten slots: made up once, not ten times.
      now = 11 * MINUTE + 5;
      assert.deepEqual(await scheduler.tick(), [job.id]);
      await scheduler.idle();
      assert.deepEqual(await scheduler.tick(), []);
      assert.deepEqual(ran, ['deps', 'deps']);
      await scheduler.stop();
    } finally {
      await fs.rm(home, { recursive: true, force: true });
    }
  });

  it('skips a missed run of a --catch-up skip job, and runs it at its next slot', async () => {
    const home = await tempDir('sched-skip');
    try {
      const store = new JobStore(home);
      const job = await store.add(sampleJob({ catchUp: 'skip' }));
      let now = 10 * MINUTE + 30_000;
      const ran: number[] = [];
      const scheduler = new JobScheduler({
        store,
        now: () => now,
        run: async (j) => {
          ran.push(now);
          return fakeRun(j);
        },
        log: () => {},
      });
      await scheduler.start();
      assert.deepEqual(await scheduler.tick(), [], 'missed while asleep: skipped');
      now = 11 * MINUTE + 1;
      assert.deepEqual(await scheduler.tick(), [job.id], 'the next slot runs');
      await scheduler.stop();
      assert.equal(ran.length, 1);
    } finally {
      await fs.rm(home, { recursive: true, force: true });
    }
  });

  it('never starts a job again while its run is going', async () => {
    const home = await tempDir('sched-overlap');
    try {
      const store = new JobStore(home);
      const job = await store.add(sampleJob());
      let now = MINUTE + 1;
      let finish!: () => void;
      let starts = 0;
      const scheduler = new JobScheduler({
        store,
        now: () => now,
        run: (j) => {
          starts++;
          return new Promise((resolve) => (finish = () => resolve(fakeRun(j))));
        },
        log: () => {},
      });
      await scheduler.start();
      assert.deepEqual(await scheduler.tick(), [job.id]);
      now = 5 * MINUTE;
      assert.deepEqual(await scheduler.tick(), [], 'still running');
      finish();
      await scheduler.idle();
      assert.deepEqual(await scheduler.tick(), [job.id]);
      finish();
      await scheduler.stop();
      assert.equal(starts, 2);
    } finally {
      await fs.rm(home, { recursive: true, force: true });
    }
  });

  it('two schedulers cannot run at once on the same home', async () => {
    const home = await tempDir('sched-lock');
    try {
      const store = new JobStore(home);
      const opts = { store, run: async (j: Job) => fakeRun(j), log: () => {} };
      const first = new JobScheduler(opts);
      await first.start();
      await assert.rejects(new JobScheduler(opts).start(), SchedulerAlreadyRunningError);
      await first.stop();
      const second = new JobScheduler(opts);
      await second.start();
      await second.stop();
    } finally {
      await fs.rm(home, { recursive: true, force: true });
    }
  });
});
