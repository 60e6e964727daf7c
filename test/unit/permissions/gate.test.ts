import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PermissionGate,
  type PermissionAnswer,
  type PermissionRequest,
} from '../../../agent-server/permissions/gate.js';
import { modeVerdict, type SessionMode } from '../../../agent-server/permissions/policy.js';
import { MemoryPermissionRules } from '../../../agent-server/runtime/permission-rules.js';

test('mode policy: plan denies changes, auto allows all but dangerous, accept-edits asks for commands', () => {
  const table: [SessionMode, 'read' | 'edit' | 'execute' | 'external', boolean, string][] = [
    ['ask', 'read', false, 'allow'],
    ['ask', 'edit', false, 'ask'],
    ['ask', 'execute', false, 'ask'],
    ['accept-edits', 'edit', false, 'allow'],
    ['accept-edits', 'execute', false, 'ask'],
    ['plan', 'edit', false, 'deny'],
    ['plan', 'execute', false, 'deny'],
    ['plan', 'read', false, 'allow'],
    ['auto', 'execute', false, 'allow'],
    ['auto', 'execute', true, 'ask'],
    ['auto', 'external', false, 'allow'],
    ['accept-edits', 'edit', true, 'ask'],
  ];
  for (const [mode, cat, dangerous, want] of table)
    assert.equal(modeVerdict(mode, cat, dangerous), want, `${mode} ${cat} ${dangerous}`);
});

function request(over: Partial<PermissionRequest> = {}): PermissionRequest {
  return {
    toolCallId: 't',
    toolName: 'terminal',
    category: 'execute',
    kind: 'execute',
    title: 'ls',
    ruleKey: 'execute:ls',
    ...over,
  };
}

test('the gate asks, remembers "always" per rule key, and passes cancellation on', async () => {
  const answers: PermissionAnswer[] = ['allow_always', 'reject_always', 'cancelled'];
  const asked: string[] = [];
  let mode: SessionMode = 'ask';
  const gate = new PermissionGate(
    () => mode,
    { ask: async (r) => (asked.push(r.ruleKey), answers.shift()!) },
    new MemoryPermissionRules(),
  );
  const signal = new AbortController().signal;

  // `byUser`: a person said yes to this call (a remembered rule or the mode is not that).
  assert.deepEqual(await gate.request(request(), signal), { allowed: true, byUser: true });
  assert.deepEqual(
    await gate.request(request(), signal),
    { allowed: true },
    'remembered: no second question',
  );
  const rejected = await gate.request(request({ ruleKey: 'execute:rm x' }), signal);
  assert.equal(rejected.allowed, false);
  const again = await gate.request(request({ ruleKey: 'execute:rm x' }), signal);
  assert.equal(again.allowed, false, 'always-reject sticks without asking');
  const cancelled = await gate.request(request({ ruleKey: 'execute:make' }), signal);
  assert.deepEqual(cancelled.allowed ? 'allowed' : cancelled.reason, 'cancelled');
  assert.deepEqual(asked, ['execute:ls', 'execute:rm x', 'execute:make']);

  mode = 'plan';
  const planned = await gate.request(request(), signal);
  assert.equal(planned.allowed ? 'allowed' : planned.reason, 'mode', 'plan mode wins over remembered rules');
  mode = 'auto';
  assert.deepEqual(await gate.request(request({ ruleKey: 'execute:make' }), signal), { allowed: true });
  answers.push('reject_once');
  const dangerous = await gate.request(
    request({ ruleKey: 'execute:git push --force', dangerous: true }),
    signal,
  );
  assert.equal(dangerous.allowed, false);
  assert.equal(asked.at(-1), 'execute:git push --force', 'dangerous commands ask even in auto');
  answers.push('something_else' as PermissionAnswer);
  const odd = await gate.request(request({ ruleKey: 'execute:x', dangerous: true }), signal);
  assert.equal(odd.allowed, false, 'an unknown answer is not a yes');
});

test('a file that runs code outside the sandbox asks in every mode but plan, ignores and never stores "always"', async () => {
  for (const mode of ['ask', 'accept-edits', 'auto'] as const)
    assert.equal(modeVerdict(mode, 'edit', false, true), 'ask', mode);
  assert.equal(modeVerdict('plan', 'edit', false, true), 'deny');

  const rules = new MemoryPermissionRules();
  await rules.remember('edit', 'allow');
  const asked: PermissionRequest[] = [];
  const gate = new PermissionGate(() => 'auto', { ask: async (r) => (asked.push(r), 'allow_always') }, rules);
  const hook = request({ category: 'edit', kind: 'edit', ruleKey: 'hook', runsOutsideSandbox: true });
  const signal = new AbortController().signal;
  assert.deepEqual(await gate.request({ ...hook, ruleKey: 'edit' }, signal), { allowed: true, byUser: true });
  assert.equal(asked.length, 1, 'the remembered "always allow edits" did not cover it');
  await gate.request(hook, signal);
  await gate.request(hook, signal);
  assert.equal(asked.length, 3, '"always" was not remembered');
  assert.equal(rules.lookup('hook'), undefined);
  assert.deepEqual(await gate.request(request({ category: 'edit', kind: 'edit', ruleKey: 'edit' }), signal), {
    allowed: true,
  });
  assert.equal(asked.length, 3, 'ordinary edits are unaffected');
});
