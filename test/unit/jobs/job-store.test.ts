import { strict as assert } from 'node:assert';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { JobStore } from '../../../agent-server/jobs/job-store.js';
import { ProcessLock } from '../../../agent-server/jobs/process-lock.js';
import { tempDir } from '../../helpers/env.js';
import { sampleJob } from './sample-job.js';

describe('JobStore', () => {
  it('adds, finds, updates and removes jobs in Cairn home, with their runs', async () => {
    const home = await tempDir('jobs-store');
    try {
      const store = new JobStore(home);
      assert.deepEqual(await store.list(), []);
      const job = await store.add(sampleJob());
      assert.match(job.id, /^[0-9a-f]{8}$/);
      assert.equal((await store.find(job.id.slice(0, 4)))?.id, job.id);
      assert.equal((await store.find('deps'))?.id, job.id);
      await store.update(job.id, (j) => ({ ...j, paused: true }));
      assert.equal((await new JobStore(home).list())[0]?.paused, true);
      await store.appendRun({
        jobId: job.id,
        startedAt: 1,
        endedAt: 2,
        trigger: 'manual',
        outcome: 'completed',
        answer: 'ok',
        refused: [],
      });
      await fs.appendFile(path.join(home, 'jobs', 'runs', `${job.id}.jsonl`), '{"torn');
      assert.equal((await store.runs(job.id)).length, 1);
      const stat = await fs.stat(path.join(home, 'jobs', 'jobs.json'));
      assert.equal(stat.mode & 0o077, 0, 'jobs.json is private to the user');
      assert.ok(await store.remove(job.id));
      assert.deepEqual(await store.list(), []);
      assert.deepEqual(await store.runs(job.id), []);
      assert.equal(await store.remove(job.id), false);
    } finally {
      await fs.rm(home, { recursive: true, force: true });
    }
  });
});

describe('ProcessLock', () => {
  it('is held by one owner at a time and taken over from a dead owner', async () => {
    const dir = await tempDir('jobs-lock');
    try {
      const file = path.join(dir, 'x.lock');
      const a = new ProcessLock(file);
      const b = new ProcessLock(file);
      assert.ok(await a.acquire());
      assert.equal(await b.acquire(), false);
      await a.release();
      assert.ok(await b.acquire());
      await b.release();
      // A pid that cannot be alive: the lock is stale.
      await fs.writeFile(file, '2147483646\n');
      assert.ok(await a.acquire());
      assert.equal(await a.owner(), process.pid);
      await a.release();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
