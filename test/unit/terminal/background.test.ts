import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LocalBackend } from '../../../agent-server/terminal/local-backend.js';
import { killAllOnExit, liveProcessGroupCount } from '../../../agent-server/terminal/process-registry.js';
import { ToolError } from '../../../agent-server/tools/types.js';
import { createHarness, eventually, processesMatching, type Harness } from './harness.js';

/** A `sleep` duration no other process on the machine uses, to find this test's processes with ps. */
function uniqueSleep(): string {
  return `${4000 + Math.floor(Math.random() * 5000)}.${process.pid % 1000}${Math.floor(Math.random() * 100)}`;
}

function idOf(forModel: string): string {
  const m = /as (bg\d+)/.exec(forModel);
  assert.ok(m, forModel);
  return m[1]!;
}

describe('background processes', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness(new LocalBackend(), { maxBackgroundProcesses: 3 });
  });
  after(() => h.close());

  test('start, poll, log, write and wait', async () => {
    const started = await h.run(h.terminal, {
      command: 'echo ready; while read line; do echo "got:$line"; [ "$line" = quit ] && exit 4; done',
      background: true,
    });
    const id = idOf(started.forModel);
    assert.ok(
      await eventually(async () => /\nready/.test((await h.run(h.process, { action: 'log', id })).forModel)),
      'never printed ready',
    );
    const list = await h.run(h.process, { action: 'list' });
    assert.match(list.forModel, new RegExp(`${id}: running`));

    await h.run(h.process, { action: 'write', id, input: 'hello\n' });
    let polled = '';
    assert.ok(
      await eventually(async () => {
        polled += (await h.run(h.process, { action: 'poll', id })).forModel;
        return polled.includes('got:hello');
      }),
    );
    // poll returns only what is new
    const again = await h.run(h.process, { action: 'poll', id });
    assert.doesNotMatch(again.forModel, /got:hello/);

    await h.run(h.process, { action: 'write', id, input: 'quit\n' });
    const waited = await h.run(h.process, { action: 'wait', id, timeout: 30 });
    assert.match(waited.forModel, /exited with code 4/);
    assert.match(waited.forModel, /got:quit/);
    await assert.rejects(h.run(h.process, { action: 'write', id, input: 'x\n' }), ToolError);
  });

  test('wait gives up at its timeout and says the process is still running', async () => {
    const sleep = uniqueSleep();
    const id = idOf((await h.run(h.terminal, { command: `sleep ${sleep}`, background: true })).forModel);
    const waited = await h.run(h.process, { action: 'wait', id, timeout: 0.3 });
    assert.match(waited.forModel, /Still running after 0\.3 s/);
    await h.run(h.process, { action: 'kill', id });
  });

  test('kill stops the whole process tree', async () => {
    const sleep = uniqueSleep();
    const id = idOf(
      (
        await h.run(h.terminal, {
          command: `sleep ${sleep} & sh -c "sleep ${sleep}; echo never" & echo up; wait`,
          background: true,
        })
      ).forModel,
    );
    assert.ok(await eventually(async () => (await processesMatching(`sleep ${sleep}`)).length >= 2));
    const killed = await h.run(h.process, { action: 'kill', id });
    assert.match(killed.forModel, /killed/);
    assert.ok(
      await eventually(async () => (await processesMatching(`sleep ${sleep}`)).length === 0),
      'orphans left',
    );
  });

  test('at most N background processes run at once', async () => {
    const sleep = uniqueSleep();
    for (let i = 0; i < 3; i++) await h.run(h.terminal, { command: `sleep ${sleep}`, background: true });
    await assert.rejects(h.run(h.terminal, { command: `sleep ${sleep}`, background: true }), /limit is 3/);
    await h.processes.killAll();
    assert.ok(await eventually(async () => (await processesMatching(`sleep ${sleep}`)).length === 0));
  });

  test('killAll (session cancel/close) leaves no process behind', async () => {
    const sleep = uniqueSleep();
    await h.run(h.terminal, { command: `sleep ${sleep} & sleep ${sleep} & wait`, background: true });
    await h.run(h.terminal, { command: `sh -c 'sleep ${sleep}'`, background: true });
    assert.ok(await eventually(async () => (await processesMatching(`sleep ${sleep}`)).length >= 3));
    await h.processes.killAll();
    assert.equal((await processesMatching(`sleep ${sleep}`)).length, 0);
    assert.ok(h.processes.list().every((p) => p.status !== 'running'));
  });

  test('killAllOnExit kills every tracked process group at server exit', async () => {
    const sleep = uniqueSleep();
    const backend = new LocalBackend();
    const running = backend.run({
      command: `sleep ${sleep} & sleep ${sleep}`,
      cwd: h.workspace,
      timeoutMs: 0,
      signal: new AbortController().signal,
    });
    assert.ok(await eventually(async () => (await processesMatching(`sleep ${sleep}`)).length >= 2));
    assert.ok(liveProcessGroupCount() >= 1);
    killAllOnExit();
    const result = await running;
    assert.equal(result.exitCode, null);
    assert.ok(
      await eventually(async () => (await processesMatching(`sleep ${sleep}`)).length === 0),
      'orphans left',
    );
  });

  test('a foreground command does not leave its children running', async () => {
    const sleep = uniqueSleep();
    const result = await h.run(h.terminal, { command: `sleep ${sleep} & echo spawned` });
    assert.match(result.forModel, /spawned/);
    assert.ok(
      await eventually(async () => (await processesMatching(`sleep ${sleep}`)).length === 0),
      'orphans left',
    );
  });
});
