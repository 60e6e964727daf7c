import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type * as acp from '@agentclientprotocol/sdk';
import { TerminalApprover, parseApprovalAnswer } from '../../../agent-server/cli/approvals.js';

const OPTIONS: acp.PermissionOption[] = [
  { optionId: 'allow_once', name: 'Allow', kind: 'allow_once' },
  { optionId: 'allow_always', name: 'Always allow', kind: 'allow_always' },
  { optionId: 'reject_once', name: 'Reject', kind: 'reject_once' },
  { optionId: 'reject_always', name: 'Always reject', kind: 'reject_always' },
];

function request(kind: acp.ToolKind, title: string, dangerous = false): acp.RequestPermissionRequest {
  return {
    sessionId: 's',
    toolCall: {
      toolCallId: 't',
      title,
      kind,
      ...(dangerous ? { _meta: { cairn: { dangerous: true } } } : {}),
    },
    options: OPTIONS,
  };
}

const picked = (r: acp.RequestPermissionResponse) =>
  r.outcome.outcome === 'selected' ? r.outcome.optionId : 'cancelled';

test('typed answers: y, n, a (and the words); Enter is no; anything else is not an answer', () => {
  assert.equal(parseApprovalAnswer('y'), 'allow_once');
  assert.equal(parseApprovalAnswer(' YES '), 'allow_once');
  assert.equal(parseApprovalAnswer('a'), 'allow_always');
  assert.equal(parseApprovalAnswer('always'), 'allow_always');
  assert.equal(parseApprovalAnswer('n'), 'reject_once');
  assert.equal(parseApprovalAnswer(''), 'reject_once');
  assert.equal(parseApprovalAnswer('1'), undefined);
  assert.equal(parseApprovalAnswer('sure'), undefined);
});

function terminal(lines: string[]) {
  const input = new PassThrough();
  const output = new PassThrough();
  let shown = '';
  output.on('data', (d: Buffer) => (shown += d.toString()));
  // One line per question, written after each prompt appears.
  let next = 0;
  output.on('data', (d: Buffer) => {
    if (d.toString().includes('›') && next < lines.length) input.write(lines[next++] + '\n');
  });
  return { input, output, shown: () => shown };
}

test('the prompt re-asks on anything else, and takes Enter as no', async () => {
  const t = terminal(['maybe', '']);
  const approver = new TerminalApprover(
    { approvals: 'ask', allowDangerous: false },
    { input: t.input, output: t.output, canAsk: true, cwd: '/w', warn: () => {} },
  );
  assert.equal(picked(await approver.answer(request('execute', 'npm test'))), 'reject_once');
  assert.match(t.shown(), /Please answer y, n or a/);
  assert.equal(approver.refused.length, 0, 'a no typed by the user is not a refusal for want of a terminal');
});

test('y and a are allow once and always', async () => {
  for (const [typed, expected] of [
    ['y', 'allow_once'],
    ['a', 'allow_always'],
  ] as const) {
    const t = terminal([typed]);
    const approver = new TerminalApprover(
      { approvals: 'ask', allowDangerous: false },
      { input: t.input, output: t.output, canAsk: true, cwd: '/w', warn: () => {} },
    );
    assert.equal(picked(await approver.answer(request('edit', 'Edit a.txt'))), expected);
  }
});

test('input that ends is a no, not a hang', async () => {
  const input = new PassThrough();
  const approver = new TerminalApprover(
    { approvals: 'ask', allowDangerous: false },
    { input, output: new PassThrough(), canAsk: true, cwd: '/w', warn: () => {} },
  );
  const answer = approver.answer(request('execute', 'ls'));
  input.end();
  assert.equal(picked(await answer), 'reject_once');
});

test('--yes covers edits and commands but a dangerous command still asks (and without a terminal is refused)', async () => {
  const noTerminal = {
    input: new PassThrough(),
    output: new PassThrough(),
    canAsk: false,
    cwd: '/w',
    warn: () => {},
  };
  const yes = new TerminalApprover({ approvals: 'all', allowDangerous: false }, noTerminal);
  assert.equal(picked(await yes.answer(request('edit', 'Edit a.txt'))), 'allow_once');
  assert.equal(picked(await yes.answer(request('execute', 'npm test'))), 'allow_once');
  assert.equal(picked(await yes.answer(request('execute', 'curl x | sh', true))), 'reject_once');
  assert.deepEqual(
    yes.refused.map((r) => r.title),
    ['curl x | sh'],
  );
  assert.match(
    yes.summary() ?? '',
    /1 action was refused[\s\S]*curl x \| sh — a dangerous command always asks/,
  );

  const t = terminal(['y']);
  const withTerminal = new TerminalApprover(
    { approvals: 'all', allowDangerous: false },
    { input: t.input, output: t.output, canAsk: true, cwd: '/w', warn: () => {} },
  );
  assert.equal(picked(await withTerminal.answer(request('execute', 'git push --force', true))), 'allow_once');
  assert.match(t.shown(), /git push --force/, 'asked on the terminal');

  const dangerousOk = new TerminalApprover({ approvals: 'all', allowDangerous: true }, noTerminal);
  assert.equal(picked(await dangerousOk.answer(request('execute', 'git push --force', true))), 'allow_once');
  assert.equal(dangerousOk.summary(), undefined);
});

test('without a terminal, each refusal names the flag that would allow it', async () => {
  const noTerminal = {
    input: new PassThrough(),
    output: new PassThrough(),
    canAsk: false,
    cwd: '/w',
    warn: () => {},
  };
  const ask = new TerminalApprover({ approvals: 'ask', allowDangerous: false }, noTerminal);
  await ask.answer(request('edit', 'Edit a.txt'));
  await ask.answer(request('execute', 'npm test'));
  assert.match(ask.summary()!, /2 actions were refused/);
  assert.match(ask.refused[0]!.reason, /add --approve edits \(or --yes\)/);
  assert.match(ask.refused[1]!.reason, /add --yes/);
  const edits = new TerminalApprover({ approvals: 'edits', allowDangerous: false }, noTerminal);
  assert.equal(picked(await edits.answer(request('edit', 'Edit a.txt'))), 'allow_once');
  await edits.answer(request('execute', 'npm test'));
  assert.doesNotMatch(edits.refused[0]!.reason, /add --approve edits/);
});
