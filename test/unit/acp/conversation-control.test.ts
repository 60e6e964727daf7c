import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import type * as acp from '@agentclientprotocol/sdk';
import type { ChatRequestBody } from '../../../agent-server/demo/scripted-model-server.js';
import { GatedModelClient } from '../../fixtures/gated-model-client.js';
import { ScriptedModelClient } from '../../fixtures/scripted-model-client.js';
import { InProcessAcp } from '../../helpers/acp-in-process.js';
import { tempDir } from '../../helpers/env.js';
import { runtimeFixture } from '../../helpers/runtime-session.js';

// Conversation control through the SDK's client side: steer, the queue extension, fork,
// titles, logout and the capabilities that advertise them.

const until = async (check: () => boolean) => {
  while (!check()) await new Promise((r) => setImmediate(r));
};

/** Answers each prompt by naming it, so a branch's history shows what it saw. */
function echoModel(): ScriptedModelClient {
  return new ScriptedModelClient((body: ChatRequestBody) => {
    const messages = body.messages as { role: string; content: unknown }[];
    const last = [...messages].reverse().find((m) => m.role === 'user');
    return { text: `answer to ${String(last?.content)}` };
  });
}

function userTexts(client: InProcessAcp, sessionId: string): string[] {
  return client
    .updatesOf(sessionId, 'user_message_chunk')
    .map((u) => (u.content.type === 'text' ? u.content.text : ''));
}

async function setUp(
  t: import('node:test').TestContext,
  model: ConstructorParameters<typeof GatedModelClient>[0],
) {
  const repo = await tempDir('acp-control');
  const gated = new GatedModelClient(model);
  const fx = await runtimeFixture({ model: gated });
  const client = await InProcessAcp.start({ services: fx.services });
  t.after(async () => {
    await client.close();
    await fx.cleanup();
    await fs.rm(repo, { recursive: true, force: true });
  });
  return { repo, gated, fx, client };
}

test('initialize advertises fork and title, and no logout (Cairn stores no key); logout says where keys come from', async (t) => {
  const { client } = await setUp(t, echoModel());
  const init = await client.request('initialize', { protocolVersion: 1, clientCapabilities: {} });
  const caps = init.agentCapabilities?.sessionCapabilities as Record<string, unknown>;
  assert.deepEqual(caps.fork, {});
  assert.deepEqual(caps.title, {});
  assert.equal((init.agentCapabilities as { auth?: { logout?: unknown } }).auth?.logout, undefined);
  await assert.rejects(client.request('logout', {}), (err: { code: number; message: string }) => {
    assert.equal(err.code, -32600);
    assert.match(err.message, /stores no API keys.*environment/);
    return true;
  });
});

test('steer through ACP: answered at once with _meta.cairn.steered, seen by the model in the same turn', async (t) => {
  const scripted = new ScriptedModelClient([
    { toolCalls: [{ name: 'todo', arguments: { todos: [{ content: 'Look', status: 'in_progress' }] } }] },
    { text: 'Done.' },
  ]);
  const { repo, gated, client } = await setUp(t, scripted);
  const { sessionId } = await client.newSession(repo);
  const turn = client.prompt(sessionId, 'start');
  await gated.requestArrived(1);
  const steer = await client.prompt(sessionId, '/steer mind the tests');
  assert.deepEqual(steer, { stopReason: 'end_turn', _meta: { cairn: { steered: true } } });
  gated.open();
  gated.open();
  assert.equal((await turn).stopReason, 'end_turn');
  const second = scripted.requests[1]!.messages as { role: string; content: unknown }[];
  assert.deepEqual(second[second.length - 1], { role: 'user', content: 'mind the tests' });
});

test('_cairn/queue tells the waiting prompts; _cairn/queue/remove withdraws one, answered cancelled', async (t) => {
  const scripted = new ScriptedModelClient([{ text: 'First.' }, { text: 'Third.' }]);
  const { repo, gated, client } = await setUp(t, scripted);
  const { sessionId } = await client.newSession(repo);
  const first = client.prompt(sessionId, 'one');
  await gated.requestArrived(1);
  const second = client.prompt(sessionId, 'two');
  const third = client.prompt(sessionId, 'three');
  const queueOf = () =>
    client.extNotifications
      .filter((n) => n.method === '_cairn/queue')
      .map((n) => n.params as { sessionId: string; queued: { index: number; text: string }[] });
  await until(() => queueOf().some((q) => q.queued.length === 2));
  assert.deepEqual(queueOf().at(-1), {
    sessionId,
    queued: [
      { index: 0, text: 'two' },
      { index: 1, text: 'three' },
    ],
  });
  assert.deepEqual(await client.extRequest('_cairn/queue/remove', { sessionId, index: 0 }), {
    removed: true,
  });
  assert.deepEqual(await client.extRequest('_cairn/queue/remove', { sessionId, index: 7 }), {
    removed: false,
  });
  assert.equal((await second).stopReason, 'cancelled');
  gated.open();
  gated.open();
  assert.equal((await first).stopReason, 'end_turn');
  assert.equal((await third).stopReason, 'end_turn');
  assert.ok(!JSON.stringify(scripted.requests).includes('"two"'));
  await until(() => queueOf().at(-1)?.queued.length === 0);
  await assert.rejects(client.extRequest('_cairn/queue/remove', { sessionId: 'nope', index: 0 }));
});

test('session/fork at a message; each branch continues and loads with its own history in a new connection', async (t) => {
  const { repo, gated, fx, client } = await setUp(t, echoModel());
  for (let i = 0; i < 10; i++) gated.open();
  const { sessionId } = await client.newSession(repo);
  await client.request('session/set_mode', { sessionId, modeId: 'auto' });
  await client.prompt(sessionId, 'one');
  await client.prompt(sessionId, 'two');

  const fork = await client.extRequest<acp.NewSessionResponse>('session/fork', {
    sessionId,
    cwd: repo,
    mcpServers: [],
    _meta: { cairn: { beforeUserMessage: 1 } },
  });
  assert.notEqual(fork.sessionId, sessionId);
  assert.equal(fork.modes?.currentModeId, 'auto');
  await client.prompt(fork.sessionId, 'three');
  await client.prompt(sessionId, 'four');
  assert.deepEqual((await fx.history.getSession(fork.sessionId))?.origin, {
    kind: 'fork',
    sessionId,
    beforeUserMessage: 1,
  });
  // Linked in the history list: the fork says where it came from.
  const listed = await client.request('session/list', { cwd: repo });
  assert.deepEqual(listed.sessions.find((s) => s.sessionId === fork.sessionId)?._meta, {
    cairn: { origin: { kind: 'fork', sessionId, beforeUserMessage: 1 } },
  });
  await assert.rejects(
    client.extRequest('session/fork', { sessionId, cwd: repo, _meta: { cairn: { beforeUserMessage: 9 } } }),
    (err: { code: number }) => err.code === -32602,
  );
  await assert.rejects(
    client.extRequest('session/fork', { sessionId: 'no-such-session', cwd: repo }),
    (err: { code: number }) => err.code === -32002,
  );

  const other = await InProcessAcp.start({ services: fx.services });
  t.after(() => other.close());
  await other.request('session/load', { sessionId, cwd: repo, mcpServers: [] });
  await other.request('session/load', { sessionId: fork.sessionId, cwd: repo, mcpServers: [] });
  assert.deepEqual(userTexts(other, sessionId), ['one', 'two', 'four']);
  assert.deepEqual(userTexts(other, fork.sessionId), ['one', 'three']);
});

test('session/set_title and /title rename: stored, listed, and told with session_info_update', async (t) => {
  const { repo, gated, client } = await setUp(t, echoModel());
  for (let i = 0; i < 5; i++) gated.open();
  const { sessionId } = await client.newSession(repo);
  await client.prompt(sessionId, 'hello');
  const answer = await client.extRequest('session/set_title', { sessionId, title: '  Release plan ' });
  assert.deepEqual(answer, { title: 'Release plan' });
  await until(() =>
    client.updatesOf(sessionId, 'session_info_update').some((u) => u.title === 'Release plan'),
  );
  await client.prompt(sessionId, '/title Release plan, v2');
  await until(() =>
    client.updatesOf(sessionId, 'session_info_update').some((u) => u.title === 'Release plan, v2'),
  );
  const listed = await client.request('session/list', { cwd: repo });
  assert.equal(listed.sessions.find((s) => s.sessionId === sessionId)?.title, 'Release plan, v2');
  await assert.rejects(
    client.extRequest('session/set_title', { sessionId, title: '   ' }),
    (err: { code: number }) => err.code === -32602,
  );
});

test('mode and model set over ACP come back with session/load in a new connection', async (t) => {
  const { repo, gated, fx, client } = await setUp(t, echoModel());
  for (let i = 0; i < 5; i++) gated.open();
  assert.ok(fx.services.model.ok);
  fx.services.model.model.choices.push('other-model');
  fx.services.modelClient = (resolved) =>
    resolved.model === 'other-model' ? new ScriptedModelClient([{ text: 'ok' }], 'other-model') : gated;
  const { sessionId } = await client.newSession(repo);
  await client.request('session/set_mode', { sessionId, modeId: 'auto' });
  await client.request('session/set_config_option', { sessionId, configId: 'model', value: 'other-model' });
  await client.prompt(sessionId, 'hi');

  const other = await InProcessAcp.start({ services: fx.services });
  t.after(() => other.close());
  const loaded = await other.request('session/load', { sessionId, cwd: repo, mcpServers: [] });
  assert.equal(loaded.modes?.currentModeId, 'auto');
  const model = loaded.configOptions?.find((o) => o.id === 'model');
  assert.equal(model && 'currentValue' in model ? model.currentValue : undefined, 'other-model');
  const resumed = await other.request('session/resume', { sessionId, cwd: repo, mcpServers: [] });
  assert.equal(resumed.modes?.currentModeId, 'auto');
});
