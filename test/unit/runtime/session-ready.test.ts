import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { GatedModelClient } from '../../fixtures/gated-model-client.js';
import { ScriptedModelClient } from '../../fixtures/scripted-model-client.js';
import { tempDir } from '../../helpers/env.js';
import { runtimeFixture } from '../../helpers/runtime-session.js';

// A session answers `session/new` with only its id, mode and model: its tools, terminal,
// skills, instructions and memory are built by `ready()` (after the answer, or by the first prompt).

test('a new session is not built until ready(): then its commands, terminal and prompt are there', async (t) => {
  const repo = await tempDir('session-ready');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  await fs.writeFile(path.join(repo, 'AGENTS.md'), 'Project rule: READY-RULES\n');
  const model = new ScriptedModelClient([{ text: 'ok' }]);
  const fx = await runtimeFixture({ model });
  t.after(() => fx.cleanup());
  const session = await fx.host.create(fx.bindings, { cwd: repo });

  assert.deepEqual(session.commandList(), []);
  assert.ok(session.statusLines().includes('Terminal: not started yet'));
  assert.equal(session.conversation.systemPrompt, '');

  const parts = await session.ready();
  assert.equal(await session.ready(), parts, 'built twice');
  assert.ok(session.commandList().some((c) => c.name === 'status'));
  assert.ok(!session.statusLines().includes('Terminal: not started yet'));
  assert.match(session.conversation.systemPrompt, /READY-RULES/);
});

test('prompts that arrive while the session is built run in order once it is', async (t) => {
  const repo = await tempDir('session-ready');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  const model = new ScriptedModelClient([{ text: 'First.' }, { text: 'Second.' }]);
  const fx = await runtimeFixture({ model });
  t.after(() => fx.cleanup());
  const session = await fx.host.create(fx.bindings, { cwd: repo });
  const first = session.prompt({ role: 'user', content: 'one' });
  const second = session.prompt({ role: 'user', content: 'two' });
  assert.equal((await first).stopReason, 'end_turn');
  assert.equal((await second).stopReason, 'end_turn');
  assert.deepEqual(
    session.conversation.messages.filter((m) => m.role === 'user').map((m) => m.content),
    ['one', 'two'],
  );
  assert.ok(JSON.stringify(model.requests[1]!.messages).includes('First.'));
});

test('a cancel while the session is built answers the prompts sent before it cancelled; later ones run', async (t) => {
  const repo = await tempDir('session-ready');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  const scripted = new ScriptedModelClient([{ text: 'After the cancel.' }]);
  const model = new GatedModelClient(scripted);
  model.open();
  const fx = await runtimeFixture({ model });
  t.after(() => fx.cleanup());
  const session = await fx.host.create(fx.bindings, { cwd: repo });
  const before = session.prompt({ role: 'user', content: 'never mind' });
  await session.cancel();
  const after = session.prompt({ role: 'user', content: 'this one' });
  assert.equal((await before).stopReason, 'cancelled');
  assert.equal((await after).stopReason, 'end_turn');
  assert.equal(scripted.requests.length, 1);
  assert.ok(!JSON.stringify(scripted.requests[0]!.messages).includes('never mind'));
});

test('a session closed before it was built builds nothing, and one closed while building waits for it', async (t) => {
  const repo = await tempDir('session-ready');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  const fx = await runtimeFixture({ model: new ScriptedModelClient([]) });
  t.after(() => fx.cleanup());
  const unbuilt = await fx.host.create(fx.bindings, { cwd: repo });
  await fx.host.close(unbuilt.id);
  await assert.rejects(unbuilt.ready(), /closed/);

  const building = await fx.host.create(fx.bindings, { cwd: repo });
  const ready = building.ready();
  await fx.host.close(building.id);
  await ready;
  await assert.rejects(building.prompt({ role: 'user', content: 'hi' }), /closed/);
});
