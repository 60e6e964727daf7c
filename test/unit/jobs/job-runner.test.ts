import { strict as assert } from 'node:assert';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { JobAlreadyRunningError, runJob } from '../../../agent-server/jobs/job-runner.js';
import { JobStore } from '../../../agent-server/jobs/job-store.js';
import { ProcessLock } from '../../../agent-server/jobs/process-lock.js';
import { ScriptedModelClient } from '../../fixtures/scripted-model-client.js';
import { runtimeFixture } from '../../helpers/runtime-session.js';
import { tempDir } from '../../helpers/env.js';
import { sampleJob } from './sample-job.js';

async function setup(script: ConstructorParameters<typeof ScriptedModelClient>[0]) {
  const fixture = await runtimeFixture({ model: new ScriptedModelClient(script) });
  // Checkpoints are another subject; their background snapshots race the fixture's cleanup.
  fixture.services.config.checkpoints.enabled = false;
  const cwd = await tempDir('job-cwd');
  const store = new JobStore(fixture.services.home);
  return {
    fixture,
    cwd,
    store,
    async cleanup() {
      await fixture.cleanup();
      await fs.rm(cwd, { recursive: true, force: true });
    },
  };
}

describe('runJob', () => {
  it('runs the job as a recorded session titled with its name and time, and journals the run', async () => {
    const t = await setup([{ text: 'All dependencies are current.' }]);
    try {
      const job = await t.store.add(sampleJob({ cwd: t.cwd }));
      const run = await runJob(job, {
        store: t.store,
        services: t.fixture.services,
        trigger: 'manual',
        now: () => new Date(Date.UTC(2026, 11, 1, 9, 0)),
      });
      assert.equal(run.outcome, 'completed');
      assert.equal(run.answer, 'All dependencies are current.');
      const meta = await t.fixture.history.getSession(run.sessionId!);
      assert.equal(meta?.title, 'Job deps · 2026-12-01 09:00 UTC');
      assert.equal(meta?.cwd, t.cwd);
      const listed = await t.fixture.host.list({ cwd: t.cwd });
      assert.deepEqual(
        listed.sessions.map((s) => s.id),
        [run.sessionId],
      );
      assert.deepEqual(await t.store.runs(job.id), [run]);
    } finally {
      await t.cleanup();
    }
  });

  it('in plan mode refuses an edit the model asks for, changes nothing, and lists the refusal', async () => {
    const t = await setup([
      { toolCalls: [{ name: 'write_file', arguments: { path: 'notes.txt', content: 'x\n' } }] },
      { text: 'I could not write the file.' },
    ]);
    try {
      const job = await t.store.add(sampleJob({ cwd: t.cwd }));
      const run = await runJob(job, { store: t.store, services: t.fixture.services, trigger: 'manual' });
      assert.equal(run.outcome, 'refused');
      assert.equal(run.refused.length, 1);
      assert.match(run.refused[0]!.reason, /plan mode/);
      await assert.rejects(fs.stat(path.join(t.cwd, 'notes.txt')));
      assert.deepEqual(t.fixture.asked, [], 'nothing was put to the (absent) user');
    } finally {
      await t.cleanup();
    }
  });

  it('runs only the commands granted at creation and refuses the others with the reason', async () => {
    const t = await setup([
      {
        toolCalls: [
          { name: 'terminal', arguments: { command: 'echo granted' } },
          { name: 'terminal', arguments: { command: 'echo other' } },
        ],
      },
      { text: 'done' },
    ]);
    try {
      const job = await t.store.add(
        sampleJob({ cwd: t.cwd, grants: { mode: 'accept-edits', allowCommands: ['echo granted'] } }),
      );
      const run = await runJob(job, { store: t.store, services: t.fixture.services, trigger: 'manual' });
      assert.equal(run.outcome, 'refused');
      assert.equal(run.refused.length, 1, JSON.stringify(run.refused));
      assert.match(run.refused[0]!.title, /echo other/);
      assert.match(run.refused[0]!.reason, /no --allow-command pattern/);
    } finally {
      await t.cleanup();
    }
  });

  it('a failing model makes a failed run with its error, never a completed one', async () => {
    const t = await setup([{ fault: 'http_500' }]);
    try {
      const job = await t.store.add(sampleJob({ cwd: t.cwd }));
      const run = await runJob(job, { store: t.store, services: t.fixture.services, trigger: 'schedule' });
      assert.equal(run.outcome, 'failed');
      assert.match(run.error ?? '', /internal error/);
    } finally {
      await t.cleanup();
    }
  });

  it('does not start while the same job is running', async () => {
    const t = await setup([]);
    try {
      const job = await t.store.add(sampleJob({ cwd: t.cwd }));
      const held = new ProcessLock(path.join(t.store.dir, 'locks', `${job.id}.lock`));
      assert.ok(await held.acquire());
      await assert.rejects(
        runJob(job, { store: t.store, services: t.fixture.services, trigger: 'manual' }),
        JobAlreadyRunningError,
      );
      await held.release();
    } finally {
      await t.cleanup();
    }
  });
});

describe('runJob cancelled', () => {
  it('a run cancelled by its signal is journaled as cancelled, never completed', async () => {
    const t = await setup([{ fault: 'hang' }]);
    try {
      const job = await t.store.add(sampleJob({ cwd: t.cwd }));
      const controller = new AbortController();
      const running = runJob(job, {
        store: t.store,
        services: t.fixture.services,
        trigger: 'manual',
        signal: controller.signal,
      });
      // Cancel once the model has been asked (it hangs until then).
      const model = t.fixture.services.modelClient!({} as never) as ScriptedModelClient;
      while (model.requests.length === 0) await new Promise((r) => setImmediate(r));
      controller.abort();
      const run = await running;
      assert.equal(run.outcome, 'cancelled');
      assert.equal((await t.store.runs(job.id))[0]?.outcome, 'cancelled');
    } finally {
      await t.cleanup();
    }
  });
});
