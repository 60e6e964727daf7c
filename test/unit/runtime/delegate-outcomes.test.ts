import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { ChatRequestBody, ScriptStep } from '../../../agent-server/demo/scripted-model-server.js';
import { toolsetFilter } from '../../../agent-server/runtime/child-sessions.js';
import type { SessionEvent } from '../../../agent-server/runtime/session-events.js';
import type { AnyTool } from '../../../agent-server/tools/types.js';
import { ScriptedModelClient } from '../../fixtures/scripted-model-client.js';
import { tempDir } from '../../helpers/env.js';
import { runtimeFixture } from '../../helpers/runtime-session.js';

const isChild = (r: ChatRequestBody) =>
  JSON.stringify(r.messages[0]).includes('subagent working on one delegated task');
const goalOf = (r: ChatRequestBody) => String((r.messages[1] as { content?: unknown }).content ?? '');
const lastRole = (r: ChatRequestBody) => String((r.messages.at(-1) as { role: string }).role);
const delegate = (tasks: { goal: string; toolset?: string }[]): ScriptStep => ({
  toolCalls: [{ name: 'delegate', arguments: { tasks } }],
});

function tool(name: string, readOnly: boolean): AnyTool {
  return { name, readOnly } as AnyTool;
}

test('toolsets: read keeps read-only tools; edit adds the rest; memory and skill writes never; delegate only in full above the depth limit', () => {
  const tools = [
    tool('read_file', true),
    tool('write_file', false),
    tool('terminal', false),
    tool('memory', false),
    tool('skill_manage', false),
    tool('delegate', true),
  ];
  const kept = (toolset: 'read' | 'edit' | 'full', depth: number) =>
    tools.filter(toolsetFilter(toolset, depth)).map((t) => t.name);
  assert.deepEqual(kept('read', 1), ['read_file']);
  assert.deepEqual(kept('edit', 1), ['read_file', 'write_file', 'terminal']);
  assert.deepEqual(kept('full', 1), ['read_file', 'write_file', 'terminal', 'delegate']);
  assert.deepEqual(kept('full', 2), ['read_file', 'write_file', 'terminal']);
});

test('a child that fails or exhausts its budget fails alone; the parent gets each outcome', async (t) => {
  const repo = await tempDir('delegate-repo');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  await fs.writeFile(path.join(repo, 'a.txt'), 'x\n');
  const script = (body: ChatRequestBody): ScriptStep => {
    if (isChild(body)) {
      const goal = goalOf(body);
      if (goal === 'Fail') return { fault: 'http_401' };
      if (goal === 'Loop') return { toolCalls: [{ name: 'read_file', arguments: { path: 'a.txt' } }] };
      return { text: 'Fine answer.' };
    }
    return lastRole(body) === 'tool'
      ? { text: 'noted' }
      : delegate([{ goal: 'Fail' }, { goal: 'Loop' }, { goal: 'Fine' }]);
  };
  const model = new ScriptedModelClient(script);
  const fx = await runtimeFixture({ model });
  t.after(() => fx.cleanup());
  fx.services.config.agent.maxTurnRequests = 2;
  const parent = await fx.host.create(fx.bindings, { cwd: repo });
  assert.equal((await parent.prompt({ role: 'user', content: 'go' })).stopReason, 'end_turn');

  const result = String(
    model.requests
      .filter((r) => !isChild(r))
      .at(-1)!
      .messages.at(-1)!.content,
  );
  assert.match(result, /Task 1 \(Fail\): failed[\s\S]*Incorrect API key/);
  assert.match(result, /Task 2 \(Loop\): budget_exhausted/);
  assert.match(result, /Task 3 \(Fine\): done[\s\S]*Fine answer\./);
  assert.equal(model.requests.filter((r) => isChild(r) && goalOf(r) === 'Loop').length, 2);
});

test('when no task finishes, the delegate call is not shown as done', async (t) => {
  const repo = await tempDir('delegate-repo');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  const model = new ScriptedModelClient((body) =>
    isChild(body)
      ? { fault: 'http_401' }
      : lastRole(body) === 'tool'
        ? { text: 'noted' }
        : delegate([{ goal: 'Fail' }]),
  );
  const fx = await runtimeFixture({ model });
  t.after(() => fx.cleanup());
  const parent = await fx.host.create(fx.bindings, { cwd: repo });
  const events: SessionEvent[] = [];
  parent.subscribe((e) => events.push(e));
  await parent.prompt({ role: 'user', content: 'go' });
  const last = events.filter((e) => e.type === 'tool_call_update').at(-1);
  assert.equal(last?.type === 'tool_call_update' && last.outcome, 'failed');
});

test('an "always" answered to a child holds for the parent', async (t) => {
  const repo = await tempDir('delegate-repo');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  let parentSteps = 0;
  const model = new ScriptedModelClient((body) => {
    if (isChild(body))
      return lastRole(body) === 'tool'
        ? { text: 'done' }
        : { toolCalls: [{ name: 'write_file', arguments: { path: 'a.txt', content: 'child\n' } }] };
    parentSteps++;
    if (parentSteps === 1) return delegate([{ goal: 'Write a', toolset: 'edit' }]);
    if (parentSteps === 2)
      return { toolCalls: [{ name: 'write_file', arguments: { path: 'b.txt', content: 'parent\n' } }] };
    return { text: 'both written' };
  });
  const fx = await runtimeFixture({ model, answer: () => 'allow_always' });
  t.after(() => fx.cleanup());
  const parent = await fx.host.create(fx.bindings, { cwd: repo, mode: 'ask' });
  await parent.prompt({ role: 'user', content: 'go' });
  assert.equal(await fs.readFile(path.join(repo, 'a.txt'), 'utf8'), 'child\n');
  assert.equal(await fs.readFile(path.join(repo, 'b.txt'), 'utf8'), 'parent\n');
  assert.equal(fx.asked.length, 1);
  assert.match(fx.asked[0]!.title, /^Task 1 \(Write a\): /);
});

test('a child that runs past its wall time is stopped and reported as out of budget', async (t) => {
  const repo = await tempDir('delegate-repo');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  const model = new ScriptedModelClient((body) =>
    isChild(body)
      ? { fault: 'hang' }
      : lastRole(body) === 'tool'
        ? { text: 'noted' }
        : { toolCalls: [{ name: 'delegate', arguments: { tasks: [{ goal: 'Slow' }], timeoutSec: 1 } }] },
  );
  const fx = await runtimeFixture({ model });
  t.after(() => fx.cleanup());
  const parent = await fx.host.create(fx.bindings, { cwd: repo });
  assert.equal((await parent.prompt({ role: 'user', content: 'go' })).stopReason, 'end_turn');
  const result = String(
    model.requests
      .filter((r) => !isChild(r))
      .at(-1)!
      .messages.at(-1)!.content,
  );
  assert.match(result, /Task 1 \(Slow\): budget_exhausted/);
  assert.match(result, /ran out of time \(1 s\)/);
});

test('two children editing the same file: both edits land (no lost update), a conflicting one fails clearly', async (t) => {
  const repo = await tempDir('delegate-repo');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  await fs.writeFile(path.join(repo, 'a.txt'), 'one\ntwo\n');
  const edits: Record<string, { old_string: string; new_string: string }> = {
    'Edit one': { old_string: 'one', new_string: 'ONE' },
    'Edit two': { old_string: 'two', new_string: 'TWO' },
    'Edit one again': { old_string: 'one\n', new_string: 'uno\n' },
  };
  const model = new ScriptedModelClient((body) => {
    if (isChild(body))
      return lastRole(body) === 'tool'
        ? { text: String((body.messages.at(-1) as { content: unknown }).content) }
        : { toolCalls: [{ name: 'edit_file', arguments: { path: 'a.txt', ...edits[goalOf(body)] } }] };
    return lastRole(body) === 'tool'
      ? { text: 'noted' }
      : delegate(Object.keys(edits).map((goal) => ({ goal, toolset: 'edit' })));
  });
  const fx = await runtimeFixture({ model });
  t.after(() => fx.cleanup());
  const parent = await fx.host.create(fx.bindings, { cwd: repo, mode: 'auto' });
  await parent.prompt({ role: 'user', content: 'go' });
  const text = await fs.readFile(path.join(repo, 'a.txt'), 'utf8');
  // "one" went to ONE or uno (whichever ran first); the other of those two was refused.
  assert.ok(text === 'ONE\nTWO\n' || text === 'uno\nTWO\n', text);
  const childAnswers = model.requests
    .filter((r) => isChild(r) && lastRole(r) === 'tool')
    .map((r) => String((r.messages.at(-1) as { content: unknown }).content));
  assert.equal(childAnswers.length, 3);
  assert.equal(
    childAnswers.filter((a) => /not found|does not contain|no match/i.test(a)).length,
    1,
    childAnswers.join('\n---\n'),
  );
});

test("two children editing one file while approvals are pending: the second edit reads the first one's result", async (t) => {
  const repo = await tempDir('delegate-repo');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  await fs.writeFile(path.join(repo, 'a.txt'), 'one\ntwo\n');
  const edits: Record<string, { old_string: string; new_string: string }> = {
    'Edit one': { old_string: 'one', new_string: 'ONE' },
    'Edit two': { old_string: 'two', new_string: 'TWO' },
  };
  const model = new ScriptedModelClient((body) => {
    if (isChild(body))
      return lastRole(body) === 'tool'
        ? { text: 'finished' }
        : { toolCalls: [{ name: 'edit_file', arguments: { path: 'a.txt', ...edits[goalOf(body)] } }] };
    return lastRole(body) === 'tool'
      ? { text: 'noted' }
      : delegate(Object.keys(edits).map((goal) => ({ goal, toolset: 'edit' })));
  });
  const fx = await runtimeFixture({ model });
  t.after(() => fx.cleanup());
  // The user answers once both edits have asked (or after a while when only one can ask at a
  // time): two edits prepared from the same text would lose one of them.
  let asked = 0;
  let release!: () => void;
  const answered = new Promise<void>((r) => (release = r));
  const bindings = (id: string) => ({
    ...fx.bindings(id),
    prompter: {
      ask: async () => {
        if (++asked === 2) release();
        setTimeout(release, 300).unref();
        await answered;
        return 'allow_once' as const;
      },
    },
  });
  const parent = await fx.host.create(bindings, { cwd: repo, mode: 'ask' });
  await parent.prompt({ role: 'user', content: 'go' });
  assert.equal(await fs.readFile(path.join(repo, 'a.txt'), 'utf8'), 'ONE\nTWO\n');
  assert.equal(asked, 2);
});
