import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import type { ChatRequestBody, ScriptStep } from '../../../agent-server/demo/scripted-model-server.js';
import { ScriptedModelClient } from '../../fixtures/scripted-model-client.js';
import { InProcessAcp } from '../../helpers/acp-in-process.js';
import { tempDir } from '../../helpers/env.js';
import { runtimeFixture } from '../../helpers/runtime-session.js';
import { delegateCall, firstUser, isChild } from './child-script.js';

// Children are history sessions with a parent link (origin delegated): hidden from the list
// unless asked for, listed per parent, searchable, loadable on their own; loading the parent
// replays its delegation card.

function script(body: ChatRequestBody): ScriptStep {
  if (isChild(body))
    return firstUser(body).startsWith('Find callers')
      ? { text: 'Callers: src/a.ts:3 zebracallers' }
      : { text: 'Review: fine.' };
  const toolResults = body.messages.filter((m) => (m as { role: string }).role === 'tool').length;
  if (toolResults === 0)
    return delegateCall([{ goal: 'Find callers of oldApi' }, { goal: 'Review the diff' }]);
  if (toolResults === 1)
    return { toolCalls: [{ name: 'session_search', arguments: { query: 'zebracallers' } }] };
  return { text: 'All done.' };
}

test('children carry origin delegated; the list hides them unless asked, lists them per parent; session_search finds their text', async (t) => {
  const repo = await tempDir('child-history');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  const model = new ScriptedModelClient(script);
  const fx = await runtimeFixture({ model });
  t.after(() => fx.cleanup());
  const parent = await fx.host.create(fx.bindings, { cwd: repo });
  await parent.prompt({ role: 'user', content: 'review this branch and find callers' });

  const all = (await fx.history.listSessions({})).sessions;
  const children = all.filter((s) => s.origin?.kind === 'delegated');
  assert.equal(children.length, 2);
  for (const c of children) assert.equal(c.origin?.kind === 'delegated' && c.origin.sessionId, parent.id);
  assert.deepEqual(children.map((c) => (c.origin?.kind === 'delegated' ? c.origin.task : '')).sort(), [
    'Find callers of oldApi',
    'Review the diff',
  ]);

  const ids = (page: { sessions: { id: string }[] }) => page.sessions.map((s) => s.id).sort();
  assert.deepEqual(ids(await fx.host.list({})), [parent.id]);
  assert.deepEqual(
    ids(await fx.host.list({ includeChildren: true })),
    [...children.map((c) => c.id), parent.id].sort(),
  );
  assert.deepEqual(ids(await fx.host.list({ parentSessionId: parent.id })), children.map((c) => c.id).sort());
  assert.deepEqual(ids(await fx.host.list({ parentSessionId: children[0]!.id })), []);

  // The parent's own session_search call found the child's words.
  const searched = model.requests.filter((r) => !isChild(r)).at(-1)!;
  const found = String((searched.messages.at(-1) as { content: unknown }).content);
  const callers = children.find((c) => c.title?.includes('Find callers'))!;
  assert.ok(found.includes(`Session ${callers.id}: "↳ Task 1 (Find callers of oldApi)"`), found);
  assert.match(found, /assistant, [^\n]*: Callers: src\/a\.ts:3 \[zebracallers\]/);
});

test('ACP: session/list hides children by default and lists them by _meta; loading the parent replays the delegate card; a child loads on its own', async (t) => {
  const repo = await tempDir('child-history');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  const fx = await runtimeFixture({ model: new ScriptedModelClient(script) });
  t.after(() => fx.cleanup());
  const first = await InProcessAcp.start({ services: fx.services });
  const { sessionId } = await first.newSession(repo);
  await first.prompt(sessionId, 'review this branch and find callers');
  await first.close();

  const acp = await InProcessAcp.start({ services: fx.services });
  t.after(() => acp.close());
  const plain = await acp.request('session/list', { cwd: repo });
  assert.deepEqual(
    plain.sessions.map((s) => s.sessionId),
    [sessionId],
  );
  const withChildren = await acp.request('session/list', {
    cwd: repo,
    _meta: { cairn: { includeChildren: true } },
  });
  assert.equal(withChildren.sessions.length, 3);
  const byParent = await acp.request('session/list', {
    cwd: repo,
    _meta: { cairn: { parentSessionId: sessionId } },
  });
  assert.equal(byParent.sessions.length, 2);
  for (const s of byParent.sessions) {
    const origin = (s._meta as { cairn: { origin: { kind: string; sessionId: string } } }).cairn.origin;
    assert.deepEqual([origin.kind, origin.sessionId], ['delegated', sessionId]);
    assert.match(s.title ?? '', /^↳ Task \d/);
  }

  await acp.request('session/load', { sessionId, cwd: repo, mcpServers: [] });
  const cards = acp.updatesOf(sessionId, 'tool_call').filter((c) => c.title.startsWith('Delegate'));
  assert.equal(cards.length, 1);
  assert.equal(cards[0]!.status, 'completed');
  assert.match(JSON.stringify(cards[0]!.content), /Callers: src\/a\.ts:3 zebracallers/);

  const callers = byParent.sessions.find((s) => s.title?.includes('Find callers'))!;
  await acp.request('session/load', { sessionId: callers.sessionId, cwd: repo, mcpServers: [] });
  const said = acp
    .updatesOf(callers.sessionId, 'agent_message_chunk')
    .map((u) => (u.content.type === 'text' ? u.content.text : ''))
    .join('');
  assert.match(said, /zebracallers/);
  const asked = acp
    .updatesOf(callers.sessionId, 'user_message_chunk')
    .map((u) => (u.content.type === 'text' ? u.content.text : ''))
    .join('');
  assert.match(asked, /Find callers of oldApi/);
});

test("deleting a parent deletes its children's sessions too, and no one else's", async (t) => {
  const repo = await tempDir('child-history');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  const fx = await runtimeFixture({ model: new ScriptedModelClient(script) });
  t.after(() => fx.cleanup());
  const parent = await fx.host.create(fx.bindings, { cwd: repo });
  await parent.prompt({ role: 'user', content: 'go' });
  const other = await fx.host.create(fx.bindings, { cwd: repo });
  await other.prompt({ role: 'user', content: 'go too' });
  assert.equal((await fx.history.listSessions({})).sessions.length, 6);

  await fx.host.delete(parent.id);
  const left = (await fx.history.listSessions({})).sessions;
  assert.deepEqual(
    left.map((s) => (s.origin?.kind === 'delegated' ? s.origin.sessionId : s.id)),
    [other.id, other.id, other.id],
  );
});
