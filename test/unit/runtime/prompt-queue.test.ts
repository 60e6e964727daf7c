import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import type { SessionEvent } from '../../../agent-server/runtime/session-events.js';
import { GatedModelClient } from '../../fixtures/gated-model-client.js';
import { ScriptedModelClient } from '../../fixtures/scripted-model-client.js';
import { tempDir } from '../../helpers/env.js';
import { runtimeFixture } from '../../helpers/runtime-session.js';

test('a prompt sent during a turn is queued, runs after it in order, and sees its answer', async (t) => {
  const repo = await tempDir('queue-repo');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  const scripted = new ScriptedModelClient([{ text: 'First answer.' }, { text: 'Second answer.' }]);
  const model = new GatedModelClient(scripted);
  const fx = await runtimeFixture({ model });
  t.after(() => fx.cleanup());
  const session = await fx.host.create(fx.bindings, { cwd: repo });
  const events: SessionEvent[] = [];
  session.subscribe((e) => events.push(e));

  const first = session.prompt({ role: 'user', content: 'one' });
  await model.requestArrived(1);
  const second = session.prompt({ role: 'user', content: 'two' });
  const third = session.prompt({ role: 'user', content: 'three' });
  assert.equal(session.queuedPrompts, 2);
  assert.deepEqual(
    events.filter((e) => e.type === 'queued'),
    [
      { type: 'queued', position: 1 },
      { type: 'queued', position: 2 },
    ],
  );
  model.open();
  model.open();
  model.open();
  assert.equal((await first).stopReason, 'end_turn');
  assert.equal((await second).stopReason, 'end_turn');
  // The third has no script step: it ran, and failed on its own.
  assert.ok((await third).error);
  const secondRequest = JSON.stringify(scripted.requests[1]!.messages);
  assert.ok(secondRequest.includes('First answer.'));
  assert.ok(secondRequest.indexOf('"one"') < secondRequest.indexOf('"two"'));
  assert.deepEqual(
    session.conversation.messages.filter((m) => m.role === 'user').map((m) => m.content),
    ['one', 'two', 'three'],
  );
});

test('cancel answers queued prompts cancelled; a prompt sent right after cancel runs', async (t) => {
  const repo = await tempDir('queue-repo');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  const scripted = new ScriptedModelClient([{ fault: 'hang' }, { text: 'After the cancel.' }]);
  const model = new GatedModelClient(scripted);
  model.open();
  model.open();
  const fx = await runtimeFixture({ model });
  t.after(() => fx.cleanup());
  const session = await fx.host.create(fx.bindings, { cwd: repo });

  const first = session.prompt({ role: 'user', content: 'hang please' });
  await model.requestArrived(1);
  const queued = session.prompt({ role: 'user', content: 'never runs' });
  await session.cancel();
  // Sent before the cancelled turn has answered.
  const resent = session.prompt({ role: 'user', content: 'try again' });
  assert.equal((await first).stopReason, 'cancelled');
  assert.equal((await queued).stopReason, 'cancelled');
  assert.equal((await resent).stopReason, 'end_turn');
  assert.equal(scripted.requests.length, 2);
  assert.ok(!JSON.stringify(scripted.requests[1]!.messages).includes('never runs'));
});
