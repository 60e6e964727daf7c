import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { SessionEvent } from '../../../agent-server/runtime/session-events.js';
import { ScriptedModelClient } from '../../fixtures/scripted-model-client.js';
import { tempDir } from '../../helpers/env.js';
import { runtimeFixture } from '../../helpers/runtime-session.js';

// Everything here goes through runtime/ alone (no acp/ import): what a job or batch runner has.

test('a session runs prompt → tool call → edit approval → history → title through the runtime API', async (t) => {
  const repo = await tempDir('runtime-repo');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  await fs.writeFile(path.join(repo, 'notes.txt'), 'old line\n');
  const model = new ScriptedModelClient([
    { toolCalls: [{ name: 'write_file', arguments: { path: 'notes.txt', content: 'new line\n' } }] },
    { text: 'I rewrote notes.txt.', usage: { prompt_tokens: 900, completion_tokens: 20 } },
  ]);
  const fx = await runtimeFixture({ model });
  t.after(() => fx.cleanup());

  const session = await fx.host.create(fx.bindings, { cwd: repo });
  const events: SessionEvent[] = [];
  session.subscribe((e) => events.push(e));
  const outcome = await session.prompt({ role: 'user', content: 'Please update the notes file' });

  assert.equal(outcome.stopReason, 'end_turn');
  assert.equal(await fs.readFile(path.join(repo, 'notes.txt'), 'utf8'), 'new line\n');
  // The edit asked first, with its diff.
  assert.equal(fx.asked.length, 1);
  assert.equal(fx.asked[0]!.toolName, 'write_file');
  assert.ok(fx.asked[0]!.content?.some((c) => c.type === 'diff'));

  const types = events.map((e) => e.type);
  assert.ok(types.includes('tool_call'));
  const final = events.filter((e) => e.type === 'tool_call_update').at(-1);
  assert.equal(final?.type === 'tool_call_update' && final.outcome, 'completed');
  assert.ok(types.indexOf('title_changed') > types.lastIndexOf('text'));
  assert.deepEqual(
    events.find((e) => e.type === 'title_changed'),
    {
      type: 'title_changed',
      title: 'Please update the notes file',
    },
  );
  assert.deepEqual(events.at(-1), {
    type: 'usage',
    usedTokens: 920,
    contextWindow: 128_000,
    estimated: false,
  });
  // The model saw the tool's result in its second request.
  assert.ok(JSON.stringify(model.requests[1]!.messages).includes('"role":"tool"'));

  // History holds the turn, titled, before prompt() resolved.
  const stored = await fx.history.getSession(session.id);
  assert.equal(stored?.title, 'Please update the notes file');
  const records = await fx.history.readSession(session.id);
  assert.deepEqual(
    records.map((r) => (r.type === 'message' ? r.message.role : r.type)),
    // The first record lists the memory and skills the session loaded (never sent to the model).
    ['system', 'user', 'assistant', 'tool_call', 'tool', 'assistant'],
  );
  assert.equal((await fx.history.search({ query: 'rewrote' }))[0]?.sessionId, session.id);
});

test('a rejected edit is reported as rejected and leaves the file alone', async (t) => {
  const repo = await tempDir('runtime-repo');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  await fs.writeFile(path.join(repo, 'a.txt'), 'keep\n');
  const model = new ScriptedModelClient([
    { toolCalls: [{ name: 'write_file', arguments: { path: 'a.txt', content: 'gone\n' } }] },
    { text: 'Understood.' },
  ]);
  const fx = await runtimeFixture({ model, answer: () => 'reject_once' });
  t.after(() => fx.cleanup());
  const session = await fx.host.create(fx.bindings, { cwd: repo });
  const events: SessionEvent[] = [];
  session.subscribe((e) => events.push(e));
  await session.prompt({ role: 'user', content: 'overwrite a.txt' });
  assert.equal(await fs.readFile(path.join(repo, 'a.txt'), 'utf8'), 'keep\n');
  const final = events.filter((e) => e.type === 'tool_call_update').at(-1);
  assert.equal(final?.type === 'tool_call_update' && final.outcome, 'rejected');
});

test('/compact is an ordinary slash command: it summarises, moves history to a child, and says so', async (t) => {
  const repo = await tempDir('runtime-repo');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  const model = new ScriptedModelClient([
    { text: 'one' },
    { text: 'two' },
    { text: 'three' },
    { text: '## Goal\n- count' },
  ]);
  const fx = await runtimeFixture({ model });
  t.after(() => fx.cleanup());
  const session = await fx.host.create(fx.bindings, { cwd: repo });
  for (const word of ['first', 'second', 'third']) await session.prompt({ role: 'user', content: word });
  const events: SessionEvent[] = [];
  session.subscribe((e) => events.push(e));

  assert.ok(session.commandList().some((c) => c.name === 'compact'));
  const outcome = await session.prompt({ role: 'user', content: '/compact' });
  assert.equal(outcome.stopReason, 'end_turn');
  assert.deepEqual(
    events.map((e) => e.type),
    ['compaction_started', 'compacted', 'command_reply'],
  );
  const compacted = events[1]!;
  assert.ok(compacted.type === 'compacted' && compacted.summary.includes('## Goal'));
  assert.equal(session.historyId, compacted.type === 'compacted' ? compacted.historyId : '');
  assert.equal((await fx.history.getSession(session.historyId!))?.parentId, session.id);
  // Brought back under its own id, the session continues from the child.
  const { transcript } = await fx.host.restore(fx.bindings, { sessionId: session.id, cwd: repo });
  assert.ok(transcript.some((r) => r.type === 'compaction'));
  assert.equal(fx.host.get(session.id)?.historyId, session.historyId);
});

test('a slash command reply is an event, not a turn; the model is never called', async (t) => {
  const repo = await tempDir('runtime-repo');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  const model = new ScriptedModelClient([]);
  const fx = await runtimeFixture({ model });
  t.after(() => fx.cleanup());
  const session = await fx.host.create(fx.bindings, { cwd: repo });
  const events: SessionEvent[] = [];
  session.subscribe((e) => events.push(e));
  await session.prompt({ role: 'user', content: '/status' });
  assert.equal(model.requests.length, 0);
  assert.equal(events.length, 1);
  assert.ok(events[0]!.type === 'command_reply' && events[0]!.text.includes(`Session: ${session.id}`));
  assert.deepEqual(await fx.history.readSession(session.id), []);
});
