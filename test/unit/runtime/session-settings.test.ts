import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import { SessionHost } from '../../../agent-server/runtime/session-host.js';
import { ScriptedModelClient } from '../../fixtures/scripted-model-client.js';
import { InProcessAcp } from '../../helpers/acp-in-process.js';
import { tempDir } from '../../helpers/env.js';
import { runtimeFixture } from '../../helpers/runtime-session.js';

/** A fixture whose endpoint offers a second model, each id its own scripted client. */
async function twoModelFixture() {
  const fx = await runtimeFixture({ model: new ScriptedModelClient([]) });
  assert.ok(fx.services.model.ok);
  fx.services.model.model.choices.push('other-model');
  fx.services.modelClient = (resolved) => new ScriptedModelClient([{ text: 'ok' }], resolved.model);
  return fx;
}

test('a session brought back by a new host keeps the model it was switched to', async (t) => {
  const repo = await tempDir('settings-repo');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  const fx = await twoModelFixture();
  t.after(() => fx.cleanup());
  const session = await fx.host.create(fx.bindings, { cwd: repo });
  assert.equal(session.modelId, 'scripted');
  await session.setModel('other-model');
  await session.prompt({ role: 'user', content: 'hi' });

  const restarted = new SessionHost({ services: () => fx.services, log: () => {} });
  t.after(() => restarted.closeAll());
  const { session: back } = await restarted.restore(fx.bindings, { sessionId: session.id, cwd: repo });
  assert.equal(back.modelId, 'other-model');
});

test('a stored model the endpoint no longer offers gives way to the configured one', async (t) => {
  const repo = await tempDir('settings-repo');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  const fx = await twoModelFixture();
  t.after(() => fx.cleanup());
  const session = await fx.host.create(fx.bindings, { cwd: repo });
  await session.setModel('other-model');
  assert.ok(fx.services.model.ok);
  fx.services.model.model.choices.splice(fx.services.model.model.choices.indexOf('other-model'), 1);

  const restarted = new SessionHost({ services: () => fx.services, log: () => {} });
  t.after(() => restarted.closeAll());
  const { session: back } = await restarted.restore(fx.bindings, { sessionId: session.id, cwd: repo });
  assert.equal(back.modelId, 'scripted');
});

test('ACP: a model set with set_config_option is the current one after session/load in a new connection', async (t) => {
  const repo = await tempDir('settings-repo');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  const fx = await twoModelFixture();
  t.after(() => fx.cleanup());
  const first = await InProcessAcp.start({ services: fx.services });
  const { sessionId } = await first.newSession(repo);
  await first.request('session/set_config_option', { sessionId, configId: 'model', value: 'other-model' });
  await first.prompt(sessionId, 'hi');
  await first.close();

  const second = await InProcessAcp.start({ services: fx.services });
  t.after(() => second.close());
  const loaded = await second.request('session/load', { sessionId, cwd: repo, mcpServers: [] });
  const model = loaded.configOptions?.find((o) => o.id === 'model');
  assert.equal(model && 'currentValue' in model ? model.currentValue : undefined, 'other-model');
});

test('mode, model and other config options come back in a new host, also after a compaction continued the session', async (t) => {
  const repo = await tempDir('settings-repo');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  const fx = await twoModelFixture();
  t.after(() => fx.cleanup());
  const session = await fx.host.create(fx.bindings, { cwd: repo });
  assert.equal(session.mode, 'ask');
  await session.setMode('auto');
  await session.setModel('other-model');
  await session.setConfigValue('reasoning_effort', 'high');
  assert.deepEqual((await fx.history.getSession(session.id))?.settings, {
    mode: 'auto',
    model: 'other-model',
    config: { reasoning_effort: 'high' },
  });
  // A compaction continues in a new history session that starts without settings of its own.
  await fx.history.createSession({ id: 'continued', cwd: repo, parentId: session.id });

  const restarted = new SessionHost({ services: () => fx.services, log: () => {} });
  t.after(() => restarted.closeAll());
  const { session: back } = await restarted.restore(fx.bindings, { sessionId: session.id, cwd: repo });
  assert.equal(back.mode, 'auto');
  assert.equal(back.modelId, 'other-model');
  assert.equal(back.configValue('reasoning_effort'), 'high');
});
