import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { ModelClient, ModelEvent, ModelRequest } from '../../../agent-server/core/model-client.js';
import type { ChatRequestBody, ScriptStep } from '../../../agent-server/demo/scripted-model-server.js';
import type { SessionEvent } from '../../../agent-server/runtime/session-events.js';
import { ScriptedModelClient } from '../../fixtures/scripted-model-client.js';
import { tempDir } from '../../helpers/env.js';
import { runtimeFixture } from '../../helpers/runtime-session.js';

// Delegation through the runtime API alone: a scripted model plays the parent and its children.

const CHILD_MARK = 'subagent working on one delegated task';

function isChild(body: ChatRequestBody): boolean {
  const system = body.messages[0] as { content?: unknown };
  return typeof system.content === 'string' && system.content.includes(CHILD_MARK);
}

function firstUser(body: ChatRequestBody): string {
  const m = body.messages.find((x) => (x as { role: string }).role === 'user') as { content: string };
  return m.content;
}

function lastRole(body: ChatRequestBody): string {
  return (body.messages.at(-1) as { role: string }).role;
}

/** The scripted model, with a hook that runs before each request is answered. */
class HookedModel implements ModelClient {
  readonly modelId = 'scripted';
  readonly contextWindow = undefined;
  constructor(
    readonly inner: ScriptedModelClient,
    private readonly before: (request: ModelRequest, child: boolean) => Promise<void>,
  ) {}
  async *stream(request: ModelRequest): AsyncIterable<ModelEvent> {
    const system = request.messages[0];
    const child = system?.role === 'system' && system.content.includes(CHILD_MARK);
    await this.before(request, child);
    // The scripted `hang` waits for an abort that may already have happened during the hook.
    if (request.signal.aborted) return yield { type: 'aborted' };
    yield* this.inner.stream(request);
  }
}

function delegateCall(tasks: { goal: string; toolset?: string; context?: string }[]): ScriptStep {
  return { toolCalls: [{ name: 'delegate', arguments: { tasks } }] };
}

test('two read tasks run as concurrent child sessions with their own context; the parent gets both summaries', async (t) => {
  const repo = await tempDir('delegate-repo');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  const script = (body: ChatRequestBody): ScriptStep => {
    if (isChild(body)) {
      return firstUser(body).startsWith('Find callers')
        ? { text: 'Callers: src/a.ts:3 and src/b.ts:9 zebracallers' }
        : { text: 'Review: the branch looks fine.' };
    }
    if (lastRole(body) === 'tool') return { text: 'Both tasks are done.' };
    return delegateCall([
      { goal: 'Find callers of oldApi', context: 'oldApi lives in src/api.ts' },
      { goal: 'Review the diff' },
    ]);
  };
  // Each child's first request waits until both have arrived: this resolves only if they overlap.
  let arrived = 0;
  let release!: () => void;
  const bothArrived = new Promise<void>((r) => (release = r));
  const model = new HookedModel(new ScriptedModelClient(script), async (_req, child) => {
    if (!child) return;
    if (++arrived === 2) release();
    await bothArrived;
  });
  const fx = await runtimeFixture({ model });
  t.after(() => fx.cleanup());

  const parent = await fx.host.create(fx.bindings, { cwd: repo });
  const events: SessionEvent[] = [];
  parent.subscribe((e) => events.push(e));
  const outcome = await parent.prompt({
    role: 'user',
    content: 'PARENT-ONLY review this branch and find callers',
  });
  assert.equal(outcome.stopReason, 'end_turn');

  const requests = model.inner.requests;
  const childRequests = requests.filter(isChild);
  assert.equal(childRequests.length, 2);
  for (const r of childRequests) {
    // Its own conversation: system prompt and its goal, not the parent's history.
    assert.equal(r.messages.length, 2);
    assert.ok(!JSON.stringify(r.messages).includes('PARENT-ONLY'));
    // A read child is offered no tool that changes anything, and cannot delegate.
    const names = (r.tools ?? []).map((x) => x.function.name);
    assert.ok(names.includes('read_file'));
    for (const n of ['write_file', 'edit_file', 'terminal', 'memory', 'delegate'])
      assert.ok(!names.includes(n), n);
  }
  assert.ok(
    childRequests.some(
      (r) => firstUser(r) === 'Find callers of oldApi\n\n## Context\noldApi lives in src/api.ts',
    ),
  );

  // The parent's next request holds both results.
  const parentNext = requests.filter((r) => !isChild(r)).at(-1)!;
  const toolMessage = JSON.stringify(parentNext.messages.at(-1));
  assert.ok(toolMessage.includes('Callers: src/a.ts:3'));
  assert.ok(toolMessage.includes('Review: the branch looks fine.'));
  assert.ok(toolMessage.includes(': done'));

  // The delegate card showed progress and ended completed.
  const updates = events.filter((e) => e.type === 'tool_call_update');
  assert.ok(updates.some((u) => JSON.stringify(u.content ?? []).includes('Task 2 (Review the diff)')));
  assert.equal(updates.at(-1)?.outcome, 'completed');

  // History: two child sessions titled as subtasks, linked to the parent, searchable.
  const { sessions } = await fx.history.listSessions({});
  const children = sessions.filter((s) => s.id !== parent.id);
  assert.equal(children.length, 2);
  for (const c of children) {
    assert.ok(c.title?.startsWith('↳ Task'));
    const records = await fx.history.readSession(c.id);
    assert.ok(JSON.stringify(records).includes(`Delegated by session ${parent.id}`));
    assert.ok(toolMessage.includes(c.id));
  }
  const hits = await fx.history.search({ query: 'zebracallers' });
  assert.ok(hits.some((h) => children.some((c) => c.id === h.sessionId)));
});

test('a child with the read toolset cannot edit: the call is refused and nothing is asked or changed', async (t) => {
  const repo = await tempDir('delegate-repo');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  await fs.writeFile(path.join(repo, 'a.txt'), 'before\n');
  const script = (body: ChatRequestBody): ScriptStep => {
    if (isChild(body)) {
      return lastRole(body) === 'tool'
        ? { text: 'I could not edit.' }
        : { toolCalls: [{ name: 'write_file', arguments: { path: 'a.txt', content: 'after\n' } }] };
    }
    if (lastRole(body) === 'tool') return { text: 'ok' };
    return delegateCall([{ goal: 'Change a.txt' }]);
  };
  const model = new ScriptedModelClient(script);
  const fx = await runtimeFixture({ model, answer: () => 'allow_once' });
  t.after(() => fx.cleanup());
  const parent = await fx.host.create(fx.bindings, { cwd: repo, mode: 'auto' });
  await parent.prompt({ role: 'user', content: 'go' });

  assert.equal(await fs.readFile(path.join(repo, 'a.txt'), 'utf8'), 'before\n');
  assert.equal(fx.asked.length, 0);
  const childSecond = model.requests.filter(isChild).at(-1)!;
  assert.match(JSON.stringify(childSecond.messages.at(-1)), /no tool named \\"write_file\\"/);
});

test("a child's edit in the edit toolset asks the user through the parent, labelled with its task", async (t) => {
  const repo = await tempDir('delegate-repo');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  await fs.writeFile(path.join(repo, 'a.txt'), 'before\n');
  const script = (body: ChatRequestBody): ScriptStep => {
    if (isChild(body)) {
      return lastRole(body) === 'tool'
        ? { text: 'Edited a.txt.' }
        : { toolCalls: [{ name: 'write_file', arguments: { path: 'a.txt', content: 'after\n' } }] };
    }
    if (lastRole(body) === 'tool') return { text: 'ok' };
    return delegateCall([{ goal: 'Change a.txt', toolset: 'edit' }]);
  };
  const model = new ScriptedModelClient(script);
  const fx = await runtimeFixture({ model, answer: () => 'allow_once' });
  t.after(() => fx.cleanup());
  const parent = await fx.host.create(fx.bindings, { cwd: repo, mode: 'ask' });
  await parent.prompt({ role: 'user', content: 'go' });

  assert.equal(await fs.readFile(path.join(repo, 'a.txt'), 'utf8'), 'after\n');
  assert.equal(fx.asked.length, 1);
  assert.equal(fx.asked[0]!.toolName, 'write_file');
  assert.ok(fx.asked[0]!.title.startsWith('Task 1 (Change a.txt): '));
  const parentLast = JSON.stringify(
    model.requests
      .filter((r) => !isChild(r))
      .at(-1)!
      .messages.at(-1),
  );
  assert.ok(parentLast.includes('Files changed: '));
  assert.ok(parentLast.includes('a.txt'));
});

test('in plan mode a child with the edit toolset still cannot change anything', async (t) => {
  const repo = await tempDir('delegate-repo');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  await fs.writeFile(path.join(repo, 'a.txt'), 'before\n');
  const script = (body: ChatRequestBody): ScriptStep => {
    if (isChild(body)) {
      return lastRole(body) === 'tool'
        ? { text: 'Refused.' }
        : { toolCalls: [{ name: 'write_file', arguments: { path: 'a.txt', content: 'after\n' } }] };
    }
    if (lastRole(body) === 'tool') return { text: 'ok' };
    return delegateCall([{ goal: 'Change a.txt', toolset: 'edit' }]);
  };
  const model = new ScriptedModelClient(script);
  const fx = await runtimeFixture({ model, answer: () => 'allow_once' });
  t.after(() => fx.cleanup());
  const parent = await fx.host.create(fx.bindings, { cwd: repo, mode: 'plan' });
  await parent.prompt({ role: 'user', content: 'go' });
  assert.equal(await fs.readFile(path.join(repo, 'a.txt'), 'utf8'), 'before\n');
  assert.equal(fx.asked.length, 0);
  assert.match(JSON.stringify(model.requests.filter(isChild).at(-1)!.messages.at(-1)), /plan mode/);
});

test('cancelling the parent cancels its running children, and the card is not shown as done', async (t) => {
  const repo = await tempDir('delegate-repo');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  const script = (body: ChatRequestBody): ScriptStep => {
    if (isChild(body)) return { fault: 'hang' };
    return delegateCall([{ goal: 'Search everything' }, { goal: 'Search more' }]);
  };
  let arrived = 0;
  let bothHanging!: () => void;
  const hanging = new Promise<void>((r) => (bothHanging = r));
  const childSignals: AbortSignal[] = [];
  const model = new HookedModel(new ScriptedModelClient(script), async (req, child) => {
    if (!child) return;
    childSignals.push(req.signal);
    if (++arrived === 2) bothHanging();
  });
  const fx = await runtimeFixture({ model });
  t.after(() => fx.cleanup());
  const parent = await fx.host.create(fx.bindings, { cwd: repo });
  const events: SessionEvent[] = [];
  parent.subscribe((e) => events.push(e));
  const running = parent.prompt({ role: 'user', content: 'go' });
  await hanging;
  await parent.cancel();
  const outcome = await running;

  assert.equal(outcome.stopReason, 'cancelled');
  assert.equal(childSignals.length, 2);
  assert.ok(childSignals.every((s) => s.aborted));
  const last = events.filter((e) => e.type === 'tool_call_update').at(-1);
  assert.notEqual(last?.type === 'tool_call_update' && last.outcome, 'completed');
});
