import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import { GatedModelClient } from '../../fixtures/gated-model-client.js';
import { ScriptedModelClient } from '../../fixtures/scripted-model-client.js';
import { InProcessAcp } from '../../helpers/acp-in-process.js';
import { tempDir } from '../../helpers/env.js';
import { runtimeFixture } from '../../helpers/runtime-session.js';

test('ACP: a second prompt during a turn is accepted, both are answered in order', async (t) => {
  const repo = await tempDir('acp-queue');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  const scripted = new ScriptedModelClient([{ text: 'Answer one.' }, { text: 'Answer two.' }]);
  const model = new GatedModelClient(scripted);
  const fx = await runtimeFixture({ model });
  t.after(() => fx.cleanup());
  const client = await InProcessAcp.start({
    services: fx.services,
    clientCapabilities: { session: { notices: {} } },
  });
  t.after(() => client.close());
  const { sessionId } = await client.newSession(repo);

  const answered: string[] = [];
  const first = client.prompt(sessionId, 'one').then((r) => (answered.push('one'), r));
  await model.requestArrived(1);
  const second = client.prompt(sessionId, 'two').then((r) => (answered.push('two'), r));
  // Acknowledged while the first still runs.
  while (!client.updatesOf(sessionId, 'notice').some((n) => /Queued/.test(n.title)))
    await new Promise((r) => setImmediate(r));
  model.open();
  model.open();
  assert.equal((await first).stopReason, 'end_turn');
  assert.equal((await second).stopReason, 'end_turn');
  assert.deepEqual(answered, ['one', 'two']);
  assert.ok(JSON.stringify(scripted.requests[1]!.messages).includes('Answer one.'));
});

test('ACP: cancel answers the queued prompt cancelled; a prompt right after cancel is accepted', async (t) => {
  const repo = await tempDir('acp-queue');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  const model = new GatedModelClient(new ScriptedModelClient([{ fault: 'hang' }, { text: 'Fresh answer.' }]));
  model.open();
  model.open();
  const fx = await runtimeFixture({ model });
  t.after(() => fx.cleanup());
  const client = await InProcessAcp.start({ services: fx.services });
  t.after(() => client.close());
  const { sessionId } = await client.newSession(repo);

  const first = client.prompt(sessionId, 'hang');
  await model.requestArrived(1);
  const queued = client.prompt(sessionId, 'queued');
  await client.notify('session/cancel', { sessionId });
  const resent = client.prompt(sessionId, 'again');
  assert.equal((await first).stopReason, 'cancelled');
  assert.equal((await queued).stopReason, 'cancelled');
  assert.equal((await resent).stopReason, 'end_turn');
  const text = client
    .updatesOf(sessionId, 'agent_message_chunk')
    .map((u) => (u.content.type === 'text' ? u.content.text : ''))
    .join('');
  assert.ok(text.includes('Fresh answer.'));
});
