import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import { userText } from '../../../agent-server/core/messages.js';
import type { ChatRequestBody } from '../../../agent-server/demo/scripted-model-server.js';
import type { StoredRecord } from '../../../agent-server/history/index.js';
import { ForkPointError, forkRecords } from '../../../agent-server/runtime/session-fork.js';
import { SessionHost } from '../../../agent-server/runtime/session-host.js';
import { ScriptedModelClient } from '../../fixtures/scripted-model-client.js';
import { tempDir } from '../../helpers/env.js';
import { runtimeFixture } from '../../helpers/runtime-session.js';

/** Answers each prompt by naming it, so a branch's history shows what it saw. */
function echoModel(): ScriptedModelClient {
  return new ScriptedModelClient((body: ChatRequestBody) => {
    const messages = body.messages as { role: string; content: unknown }[];
    const last = [...messages].reverse().find((m) => m.role === 'user');
    return { text: `answer to ${String(last?.content)}` };
  });
}

function userPrompts(records: readonly StoredRecord[]): string[] {
  return records.flatMap((r) =>
    r.type === 'message' && r.message.role === 'user' ? [userText(r.message.content)] : [],
  );
}

test('fork at a message, continue both branches, bring each back in a new host: each has its own history', async (t) => {
  const repo = await tempDir('fork-repo');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  const fx = await runtimeFixture({ model: echoModel() });
  t.after(() => fx.cleanup());
  const source = await fx.host.create(fx.bindings, { cwd: repo });
  await source.setMode('auto');
  await source.prompt({ role: 'user', content: 'one' });
  await source.prompt({ role: 'user', content: 'two' });

  const fork = await fx.host.fork(source.id, fx.bindings, { cwd: repo, beforeUserMessage: 1 });
  assert.notEqual(fork.id, source.id);
  assert.equal(fork.mode, 'auto');
  assert.deepEqual(
    fork.conversation.messages.map((m) => (m.role === 'user' ? userText(m.content) : m.content)),
    ['one', 'answer to one'],
  );
  const meta = await fx.history.getSession(fork.id);
  assert.deepEqual(meta?.origin, { kind: 'fork', sessionId: source.id, beforeUserMessage: 1 });
  assert.equal(meta?.settings?.mode, 'auto');

  await fork.prompt({ role: 'user', content: 'three' });
  await source.prompt({ role: 'user', content: 'four' });

  const restarted = new SessionHost({ services: () => fx.services, log: () => {} });
  t.after(() => restarted.closeAll());
  const back = await restarted.restore(fx.bindings, { sessionId: source.id, cwd: repo });
  const forkBack = await restarted.restore(fx.bindings, { sessionId: fork.id, cwd: repo });
  assert.deepEqual(userPrompts(back.transcript), ['one', 'two', 'four']);
  assert.deepEqual(userPrompts(forkBack.transcript), ['one', 'three']);
  assert.equal(forkBack.session.mode, 'auto');
  // What the fork copied is searchable in the fork too.
  const hits = await fx.history.search({ query: 'answer to one' });
  assert.ok(hits.some((h) => h.sessionId === fork.id));
  assert.ok(hits.some((h) => h.sessionId === source.id));
});

test('a fork without a message has the whole conversation; one past the end is refused', async (t) => {
  const repo = await tempDir('fork-repo');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  const fx = await runtimeFixture({ model: echoModel() });
  t.after(() => fx.cleanup());
  const source = await fx.host.create(fx.bindings, { cwd: repo });
  await source.prompt({ role: 'user', content: 'one' });
  const whole = await fx.host.fork(source.id, fx.bindings, { cwd: repo });
  assert.equal(whole.conversation.messages.length, source.conversation.messages.length);
  assert.deepEqual((await fx.history.getSession(whole.id))?.origin, { kind: 'fork', sessionId: source.id });
  await assert.rejects(
    fx.host.fork(source.id, fx.bindings, { cwd: repo, beforeUserMessage: 1 }),
    ForkPointError,
  );
});

test("forkRecords counts a compaction's carried copies once and cuts in the segment holding the prompt", () => {
  let ord = 0;
  const rec = (role: 'user' | 'assistant', content: string): StoredRecord => ({
    type: 'message',
    message: role === 'user' ? { role, content } : { role, content },
    ord: ord++,
    at: 1,
  });
  const first = [rec('user', 'a'), rec('assistant', 'A'), rec('user', 'b'), rec('assistant', 'B')];
  ord = 0;
  const second: StoredRecord[] = [
    { type: 'compaction', summary: 'a and b', carried: 2, ord: ord++, at: 1 },
    rec('user', 'b'),
    rec('assistant', 'B'),
    rec('user', 'c'),
    rec('assistant', 'C'),
  ];
  const texts = (records: ReturnType<typeof forkRecords>) =>
    records.map((r) => (r.type === 'message' ? String(r.message.content) : `[${r.type}]`));
  assert.deepEqual(texts(forkRecords([first, second], 1)), ['a', 'A']);
  assert.deepEqual(texts(forkRecords([first, second], 2)), ['[compaction]', 'b', 'B']);
  assert.deepEqual(texts(forkRecords([first, second])), ['[compaction]', 'b', 'B', 'c', 'C']);
  assert.throws(() => forkRecords([first, second], 3), ForkPointError);
});
