// Job runs are tagged in history (origin: job) so editors can list them, with their outcome and
// an unseen flag until someone opens them (session/list `_meta.cairn`).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs/promises';
import { describe, it } from 'node:test';
import { runJob } from '../../../agent-server/jobs/job-runner.js';
import { JobRunMarks } from '../../../agent-server/jobs/job-run-marks.js';
import { JobStore } from '../../../agent-server/jobs/job-store.js';
import { ScriptedModelClient } from '../../fixtures/scripted-model-client.js';
import { InProcessAcp } from '../../helpers/acp-in-process.js';
import { runtimeFixture } from '../../helpers/runtime-session.js';
import { tempDir } from '../../helpers/env.js';
import { sampleJob } from './sample-job.js';

describe('job run sessions', () => {
  it('a run is a history session with origin job, marked unseen with its outcome', async () => {
    const fixture = await runtimeFixture({ model: new ScriptedModelClient([{ text: 'All current.' }]) });
    const cwd = await tempDir('job-origin');
    try {
      const store = new JobStore(fixture.services.home);
      const job = await store.add(sampleJob({ cwd, name: 'deps' }));
      const run = await runJob(job, { store, services: fixture.services, trigger: 'manual' });
      const meta = await fixture.history.getSession(run.sessionId!);
      assert.deepEqual(meta?.origin, { kind: 'job', jobId: job.id, jobName: 'deps' });
      const marks = await new JobRunMarks(fixture.services.home).all();
      assert.deepEqual(marks[run.sessionId!], {
        jobId: job.id,
        outcome: 'completed',
        unseen: true,
        endedAt: run.endedAt,
      });
    } finally {
      await fixture.cleanup();
      await fs.rm(cwd, { recursive: true, force: true });
    }
  });

  it('session/list carries _meta.cairn.origin with the outcome and unseen; loading it marks it seen', async () => {
    const fixture = await runtimeFixture({
      model: new ScriptedModelClient([{ text: 'Nothing outdated.' }, { text: 'hello' }]),
    });
    const cwd = await tempDir('job-list');
    const acp = await InProcessAcp.start({ services: fixture.services });
    try {
      const store = new JobStore(fixture.services.home);
      const job = await store.add(sampleJob({ cwd, name: 'nightly' }));
      const run = await runJob(job, { store, services: fixture.services, trigger: 'schedule' });
      // A session a user started: no origin, no _meta.
      const own = await acp.request('session/new', { cwd, mcpServers: [] });
      await acp.request('session/prompt', {
        sessionId: own.sessionId,
        prompt: [{ type: 'text', text: 'hi' }],
      });

      const listed = await acp.request('session/list', { cwd });
      const jobInfo = listed.sessions.find((s) => s.sessionId === run.sessionId);
      assert.deepEqual(jobInfo?._meta, {
        cairn: {
          origin: { kind: 'job', jobId: job.id, jobName: 'nightly', outcome: 'completed' },
          unseen: true,
        },
      });
      const ownInfo = listed.sessions.find((s) => s.sessionId === own.sessionId);
      assert.ok(ownInfo, 'the user session is listed');
      assert.equal(ownInfo._meta, undefined);

      await acp.request('session/load', { sessionId: run.sessionId!, cwd, mcpServers: [] });
      const again = await acp.request('session/list', { cwd });
      const seen = again.sessions.find((s) => s.sessionId === run.sessionId);
      assert.deepEqual(seen?._meta, {
        cairn: { origin: { kind: 'job', jobId: job.id, jobName: 'nightly', outcome: 'completed' } },
      });
    } finally {
      await acp.close();
      await fixture.cleanup();
      await fs.rm(cwd, { recursive: true, force: true });
    }
  });

  it('marks keep the newest runs only, and a damaged file loses badges, not runs', async () => {
    const home = await tempDir('marks-home');
    try {
      const marks = new JobRunMarks(home);
      for (let i = 0; i < 502; i++)
        await marks.markRun(`s${i}`, { jobId: 'j', outcome: i % 2 ? 'failed' : 'completed', endedAt: i });
      const all = await marks.all();
      assert.equal(Object.keys(all).length, 500);
      assert.equal(all.s0, undefined, 'the oldest are forgotten');
      assert.equal(all.s501?.outcome, 'failed');
      await marks.markSeen('s501');
      assert.equal((await marks.all()).s501?.unseen, false);
      await marks.markSeen('not-a-job-run');
      await fs.writeFile(marks.file, '{torn');
      assert.deepEqual(await marks.all(), {});
    } finally {
      await fs.rm(home, { recursive: true, force: true });
    }
  });
});
