import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import type { ChatRequestBody, ScriptStep } from '../../../agent-server/demo/scripted-model-server.js';
import {
  DELEGATE_CANCEL_METHOD,
  DELEGATE_CHILD_METHOD,
  type DelegateCancelResponse,
  type DelegateChildNotification,
} from '../../../shared/delegation-protocol.js';
import { ScriptedModelClient } from '../../fixtures/scripted-model-client.js';
import { InProcessAcp } from '../../helpers/acp-in-process.js';
import { tempDir } from '../../helpers/env.js';
import { runtimeFixture } from '../../helpers/runtime-session.js';

// A client that asks for child sessions sees each delegated task start, stream and end, and can
// stop one child alone (`_cairn/delegate/cancel`) while its sibling and the parent go on.

const CHILD_MARK = 'subagent working on one delegated task';

function isChild(body: ChatRequestBody): boolean {
  const system = body.messages[0] as { content?: unknown };
  return typeof system.content === 'string' && system.content.includes(CHILD_MARK);
}

function firstUser(body: ChatRequestBody): string {
  return (body.messages.find((m) => m.role === 'user') as { content: string }).content;
}

const script = (body: ChatRequestBody): ScriptStep => {
  if (isChild(body))
    return firstUser(body).startsWith('Find') ? { text: 'Found it in a.ts.' } : { fault: 'hang' };
  if ((body.messages.at(-1) as { role: string }).role === 'tool') return { text: 'Summarised.' };
  return {
    toolCalls: [
      { name: 'delegate', arguments: { tasks: [{ goal: 'Find the caller' }, { goal: 'Review forever' }] } },
    ],
  };
};

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.fail(`never happened: ${what}`);
}

test('children are told, streamed under their own id, and one can be stopped alone', async (t) => {
  const repo = await tempDir('delegate-children');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  const model = new ScriptedModelClient(script);
  const fx = await runtimeFixture({ model });
  t.after(() => fx.cleanup());
  const client = await InProcessAcp.start({
    services: fx.services,
    clientCapabilities: { _meta: { cairn: { childSessions: true } } },
  });
  t.after(() => client.close());

  const { sessionId } = await client.newSession(repo);
  const turn = client.prompt(sessionId, 'Delegate please');
  const told = () =>
    client.extNotifications
      .filter((n) => n.method === DELEGATE_CHILD_METHOD)
      .map((n) => n.params as DelegateChildNotification);
  await until(
    'both children started and the finder ended',
    () =>
      told().some((n) => n.goal === 'Find the caller' && n.status === 'done') &&
      told().some((n) => n.goal === 'Review forever' && n.status === 'running'),
  );
  const finder = told().find((n) => n.goal === 'Find the caller')!;
  const reviewer = told().find((n) => n.goal === 'Review forever')!;
  const delegateCall = client.updatesOf(sessionId, 'tool_call').find((u) => u.title.startsWith('Delegate'));
  assert.equal(finder.toolCallId, delegateCall?.toolCallId);
  assert.equal(reviewer.sessionId, sessionId);
  assert.match(finder.label, /^Task 1 \(Find the caller\)/);
  // The finder's own reply arrived under its id, before it was told done.
  const finderText = client
    .updatesOf(finder.childSessionId, 'agent_message_chunk')
    .map((u) => (u.content.type === 'text' ? u.content.text : ''))
    .join('');
  assert.equal(finderText, 'Found it in a.ts.');

  // Someone else's session cannot stop it; the parent can.
  const wrong = await client.extRequest<DelegateCancelResponse>(DELEGATE_CANCEL_METHOD, {
    sessionId: 'another-session',
    childSessionId: reviewer.childSessionId,
  });
  assert.deepEqual(wrong, { cancelled: false });
  const stopped = await client.extRequest<DelegateCancelResponse>(DELEGATE_CANCEL_METHOD, {
    sessionId,
    childSessionId: reviewer.childSessionId,
  });
  assert.deepEqual(stopped, { cancelled: true });
  assert.equal((await turn).stopReason, 'end_turn');
  const said = told().map((n) => `${n.goal}: ${n.status}`);
  assert.deepEqual([...said].sort(), [
    'Find the caller: done',
    'Find the caller: running',
    'Review forever: cancelled',
    'Review forever: running',
  ]);
  assert.ok(said.indexOf('Review forever: running') < said.indexOf('Review forever: cancelled'));
  assert.ok(said.indexOf('Find the caller: running') < said.indexOf('Find the caller: done'));
  // The parent read one done and one cancelled task, and went on.
  const last = model.requests.at(-1)!;
  const result = JSON.stringify(last.messages.at(-1));
  assert.match(result, /Task 1 \(Find the caller\): done/);
  assert.match(result, /Task 2 \(Review forever\): cancelled/);
  // Ended: nothing left to stop.
  const again = await client.extRequest<DelegateCancelResponse>(DELEGATE_CANCEL_METHOD, {
    sessionId,
    childSessionId: reviewer.childSessionId,
  });
  assert.deepEqual(again, { cancelled: false });
});

test('a client that did not ask sees no children', async (t) => {
  const repo = await tempDir('delegate-children-off');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  const fx = await runtimeFixture({
    model: new ScriptedModelClient((body) =>
      isChild(body)
        ? { text: 'Child answer.' }
        : (body.messages.at(-1) as { role: string }).role === 'tool'
          ? { text: 'Done.' }
          : { toolCalls: [{ name: 'delegate', arguments: { tasks: [{ goal: 'Find it' }] } }] },
    ),
  });
  t.after(() => fx.cleanup());
  const client = await InProcessAcp.start({ services: fx.services });
  t.after(() => client.close());
  const { sessionId } = await client.newSession(repo);
  assert.equal((await client.prompt(sessionId, 'Delegate')).stopReason, 'end_turn');
  assert.deepEqual(client.extNotifications, []);
  assert.ok(client.updates.every((u) => u.sessionId === sessionId));
});
