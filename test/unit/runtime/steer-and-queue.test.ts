import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import type { ChatRequestBody } from '../../../agent-server/demo/scripted-model-server.js';
import type { SessionEvent } from '../../../agent-server/runtime/session-events.js';
import { GatedModelClient } from '../../fixtures/gated-model-client.js';
import { ScriptedModelClient } from '../../fixtures/scripted-model-client.js';
import { tempDir } from '../../helpers/env.js';
import { runtimeFixture } from '../../helpers/runtime-session.js';

const planCall = {
  toolCalls: [{ name: 'todo', arguments: { todos: [{ content: 'Look around', status: 'in_progress' }] } }],
};

function lastMessage(body: ChatRequestBody | undefined): { role: string; content: unknown } | undefined {
  const messages = body?.messages as { role: string; content: unknown }[] | undefined;
  return messages?.[messages.length - 1];
}

async function gatedSession(script: ConstructorParameters<typeof ScriptedModelClient>[0]) {
  const repo = await tempDir('steer-repo');
  const scripted = new ScriptedModelClient(script);
  const model = new GatedModelClient(scripted);
  const fx = await runtimeFixture({ model });
  const session = await fx.host.create(fx.bindings, { cwd: repo });
  const events: SessionEvent[] = [];
  session.subscribe((e) => events.push(e));
  return {
    fx,
    session,
    scripted,
    model,
    events,
    cleanup: async () => {
      await fx.cleanup();
      await fs.rm(repo, { recursive: true, force: true });
    },
  };
}

test('/steer during a turn is answered at once and reaches the model before its next request, after the tool results', async (t) => {
  const s = await gatedSession([planCall, { text: 'Done, with tabs.' }]);
  t.after(s.cleanup);
  const turn = s.session.prompt({ role: 'user', content: 'tidy the file' });
  await s.model.requestArrived(1);
  const steer = await s.session.prompt({ role: 'user', content: '/steer use tabs, not spaces' });
  assert.deepEqual(steer, { stopReason: 'end_turn', steered: true });
  s.model.open();
  s.model.open();
  assert.equal((await turn).stopReason, 'end_turn');

  assert.equal(s.scripted.requests.length, 2);
  assert.ok(!JSON.stringify(s.scripted.requests[0]!.messages).includes('use tabs'));
  // After the todo call's result, as a user message: the conversation stays well-formed.
  const second = s.scripted.requests[1]!.messages as { role: string; content: unknown }[];
  assert.deepEqual(
    second.slice(-2).map((m) => m.role),
    ['tool', 'user'],
  );
  assert.deepEqual(lastMessage(s.scripted.requests[1]), { role: 'user', content: 'use tabs, not spaces' });
  assert.ok(s.events.some((e) => e.type === 'steered' && e.text === 'use tabs, not spaces'));
  // Recorded in history like any user message.
  const stored = await s.fx.history.readSession(s.session.id);
  assert.ok(
    stored.some(
      (r) =>
        r.type === 'message' && r.message.role === 'user' && r.message.content === 'use tabs, not spaces',
    ),
  );
});

test("a steer that arrives after the model's last request still reaches it: the turn goes on", async (t) => {
  const s = await gatedSession([{ text: 'All done.' }, { text: 'Then also the README.' }]);
  t.after(s.cleanup);
  const turn = s.session.prompt({ role: 'user', content: 'fix it' });
  await s.model.requestArrived(1);
  assert.equal((await s.session.prompt({ role: 'user', content: '/steer and the README' })).steered, true);
  s.model.open();
  s.model.open();
  assert.equal((await turn).stopReason, 'end_turn');
  assert.equal(s.scripted.requests.length, 2);
  assert.deepEqual(lastMessage(s.scripted.requests[1]), { role: 'user', content: 'and the README' });
});

test('a steer the turn never delivered (cancelled) is reported, never shown as seen', async (t) => {
  const s = await gatedSession([{ fault: 'hang' }]);
  t.after(s.cleanup);
  s.model.open();
  const turn = s.session.prompt({ role: 'user', content: 'hang' });
  await s.model.requestArrived(1);
  await s.session.prompt({ role: 'user', content: '/steer too late' });
  await s.session.cancel();
  assert.equal((await turn).stopReason, 'cancelled');
  assert.ok(!s.events.some((e) => e.type === 'steered'));
  assert.deepEqual(
    s.events.filter((e) => e.type === 'steer_dropped'),
    [{ type: 'steer_dropped', text: 'too late', reason: 'the turn was cancelled' }],
  );
});

test('/steer with no turn running is an ordinary prompt', async (t) => {
  const s = await gatedSession([{ text: 'Hello.' }]);
  t.after(s.cleanup);
  s.model.open();
  const outcome = await s.session.prompt({ role: 'user', content: '/steer say hello' });
  assert.equal(outcome.stopReason, 'end_turn');
  assert.ok(!outcome.steered);
  assert.deepEqual(lastMessage(s.scripted.requests[0]), { role: 'user', content: 'say hello' });
});

test('the queue is told with its texts as it changes; a withdrawn prompt is answered cancelled and never runs', async (t) => {
  const s = await gatedSession([{ text: 'First.' }, { text: 'Third.' }]);
  t.after(s.cleanup);
  const first = s.session.prompt({ role: 'user', content: 'one' });
  await s.model.requestArrived(1);
  const second = s.session.prompt({ role: 'user', content: 'two' });
  const third = s.session.prompt({ role: 'user', content: 'three' });
  assert.deepEqual(s.session.queued, [
    { index: 0, text: 'two' },
    { index: 1, text: 'three' },
  ]);
  assert.equal(s.session.removeQueued(0), true);
  assert.equal(s.session.removeQueued(5), false);
  assert.equal((await second).stopReason, 'cancelled');
  s.model.open();
  s.model.open();
  assert.equal((await first).stopReason, 'end_turn');
  assert.equal((await third).stopReason, 'end_turn');
  assert.equal(s.scripted.requests.length, 2);
  assert.ok(!JSON.stringify(s.scripted.requests[1]!.messages).includes('"two"'));
  assert.deepEqual(
    s.events
      .filter((e) => e.type === 'queue_changed')
      .map((e) => (e.type === 'queue_changed' ? e.queued : [])),
    [
      [{ index: 0, text: 'two' }],
      [
        { index: 0, text: 'two' },
        { index: 1, text: 'three' },
      ],
      [{ index: 0, text: 'three' }],
      [],
    ],
  );
});

test('/title renames the session: history keeps it and subscribers hear it', async (t) => {
  const s = await gatedSession([]);
  t.after(s.cleanup);
  await s.session.prompt({ role: 'user', content: '/title  Release   notes ' });
  assert.equal(s.session.title, 'Release notes');
  assert.equal((await s.fx.history.getSession(s.session.id))?.title, 'Release notes');
  assert.ok(s.events.some((e) => e.type === 'title_changed' && e.title === 'Release notes'));
  assert.equal(s.scripted.requests.length, 0);
});
