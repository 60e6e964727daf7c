// The `schedule` tool: the agent creates a job only through a permission request that shows the
// exact job; a rejection creates nothing; jobs, batch tasks and children are never offered it.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs/promises';
import { describe, it } from 'node:test';
import { runJob } from '../../../agent-server/jobs/job-runner.js';
import { JobStore } from '../../../agent-server/jobs/job-store.js';
import type { ChatRequestBody } from '../../../agent-server/demo/scripted-model-server.js';
import { ScriptedModelClient } from '../../fixtures/scripted-model-client.js';
import { runtimeFixture } from '../../helpers/runtime-session.js';
import { tempDir } from '../../helpers/env.js';
import { sampleJob } from './sample-job.js';

const scheduleCall = {
  name: 'schedule',
  arguments: {
    prompt: 'check the dependencies for updates',
    cron: '0 9 * * 1',
    name: 'deps',
    mode: 'plan',
    allowCommands: ['npm outdated*'],
  },
};

/** Checkpoints are another subject; their background snapshots only slow these tests down. */
function withoutCheckpoints<T extends { services: { config: { checkpoints: { enabled: boolean } } } }>(
  f: T,
): T {
  f.services.config.checkpoints.enabled = false;
  return f;
}

const offered = (body: ChatRequestBody | undefined) =>
  (body?.tools ?? []).map((t) => (t as { function: { name: string } }).function.name);

describe('schedule tool', () => {
  for (const answer of ['allow_once', 'reject_once'] as const) {
    it(`asks with the exact job, even in auto mode; ${answer} ${answer === 'allow_once' ? 'creates it' : 'creates nothing'}`, async () => {
      const fixture = withoutCheckpoints(
        await runtimeFixture({
          model: new ScriptedModelClient([{ toolCalls: [scheduleCall] }, { text: 'ok' }]),
          answer: () => answer,
        }),
      );
      const cwd = await tempDir('schedule-cwd');
      try {
        const session = await fixture.host.create(fixture.bindings, { cwd, mode: 'auto' });
        await session.prompt({ role: 'user', content: 'check the dependencies every Monday' });
        assert.equal(fixture.asked.length, 1, 'asked even in auto mode');
        const request = fixture.asked[0]!;
        assert.equal(request.toolName, 'schedule');
        const shown = request.content?.map((c) => (c.type === 'text' ? c.text : '')).join('\n') ?? '';
        assert.match(shown, /schedule: cron "0 9 \* \* 1" — next: \d{4}-\d\d-\d\d 09:00, /);
        assert.match(shown, new RegExp(`folder: +${cwd.replace(/[/\\]/g, '\\$&')}`));
        assert.match(shown, /mode: +plan \(read-only\)/);
        assert.match(shown, /commands: npm outdated\*/);
        assert.match(shown, /prompt: +check the dependencies for updates/);
        const jobs = await new JobStore(fixture.services.home).list();
        if (answer === 'allow_once') {
          assert.equal(jobs.length, 1);
          assert.equal(jobs[0]!.name, 'deps');
          assert.deepEqual(jobs[0]!.grants, { mode: 'plan', allowCommands: ['npm outdated*'] });
          assert.deepEqual(jobs[0]!.schedule, { kind: 'cron', expression: '0 9 * * 1' });
        } else assert.deepEqual(jobs, []);
      } finally {
        await fixture.cleanup();
        await fs.rm(cwd, { recursive: true, force: true });
      }
    });
  }

  it('a folder outside the workspace is refused before anyone is asked', async () => {
    const fixture = withoutCheckpoints(
      await runtimeFixture({
        model: new ScriptedModelClient([
          { toolCalls: [{ ...scheduleCall, arguments: { ...scheduleCall.arguments, cwd: '/etc' } }] },
          { text: 'ok' },
        ]),
      }),
    );
    const cwd = await tempDir('schedule-out');
    try {
      const session = await fixture.host.create(fixture.bindings, { cwd, mode: 'ask' });
      await session.prompt({ role: 'user', content: 'schedule it in /etc' });
      assert.deepEqual(fixture.asked, []);
      assert.deepEqual(await new JobStore(fixture.services.home).list(), []);
    } finally {
      await fixture.cleanup();
      await fs.rm(cwd, { recursive: true, force: true });
    }
  });

  it('is offered in a session a person is in, never to a job run', async () => {
    const model = new ScriptedModelClient([{ text: 'a' }, { text: 'b' }]);
    const fixture = withoutCheckpoints(await runtimeFixture({ model }));
    const cwd = await tempDir('schedule-offer');
    try {
      const session = await fixture.host.create(fixture.bindings, { cwd, mode: 'ask' });
      await session.prompt({ role: 'user', content: 'hi' });
      assert.ok(offered(model.requests[0]).includes('schedule'));
      const store = new JobStore(fixture.services.home);
      const job = await store.add(sampleJob({ cwd, grants: { mode: 'auto', allowCommands: [] } }));
      await runJob(job, { store, services: fixture.services, trigger: 'manual' });
      assert.ok(!offered(model.requests[1]).includes('schedule'), 'a job cannot schedule jobs');
    } finally {
      await fixture.cleanup();
      await fs.rm(cwd, { recursive: true, force: true });
    }
  });
});
