import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import { ScriptedModelClient } from '../../fixtures/scripted-model-client.js';
import { InProcessAcp } from '../../helpers/acp-in-process.js';
import { tempDir } from '../../helpers/env.js';
import { runtimeFixture } from '../../helpers/runtime-session.js';

// The adapter's request handlers over an in-process connection: no dist/, no child process.

test('a prompt answers after its updates: text, then the title, then usage; commands are announced', async (t) => {
  const repo = await tempDir('acp-in-process');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  const fx = await runtimeFixture({ model: new ScriptedModelClient([{ text: 'Hello there.' }]) });
  t.after(() => fx.cleanup());
  const client = await InProcessAcp.start({ services: fx.services });
  t.after(() => client.close());

  const { sessionId } = await client.newSession(repo);
  assert.equal((await client.prompt(sessionId, 'Say hello')).stopReason, 'end_turn');
  const kinds = client.updates.filter((u) => u.sessionId === sessionId).map((u) => u.update.sessionUpdate);
  assert.ok(kinds.includes('available_commands_update'));
  const tail = kinds.filter((k) => k !== 'available_commands_update');
  assert.deepEqual(tail, ['agent_message_chunk', 'session_info_update', 'usage_update']);
  assert.equal(client.updatesOf(sessionId, 'session_info_update')[0]?.title, 'Say hello');
  const commands = client.updatesOf(sessionId, 'available_commands_update')[0]!.availableCommands;
  assert.equal(commands.at(-1)?.name, 'compact');

  // Listed and loaded back from history, replayed as it was.
  const listed = await client.request('session/list', { cwd: repo });
  assert.deepEqual(
    listed.sessions.map((s) => [s.sessionId, s.title]),
    [[sessionId, 'Say hello']],
  );
  client.updates.length = 0;
  await client.request('session/load', { sessionId, cwd: repo, mcpServers: [] });
  assert.deepEqual(
    client.updates.map((u) => u.update.sessionUpdate).filter((k) => k !== 'available_commands_update'),
    ['user_message_chunk', 'agent_message_chunk'],
  );
});

test('an unknown session is not found for load', async (t) => {
  const fx = await runtimeFixture({ model: new ScriptedModelClient([]) });
  t.after(() => fx.cleanup());
  const client = await InProcessAcp.start({ services: fx.services });
  t.after(() => client.close());
  await assert.rejects(client.request('session/load', { sessionId: 'nope', cwd: '/tmp', mcpServers: [] }), {
    code: -32002,
  });
});
