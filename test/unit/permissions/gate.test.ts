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

  assert.deepEqual(await gate.request(request(), signal), { allowed: true });
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
