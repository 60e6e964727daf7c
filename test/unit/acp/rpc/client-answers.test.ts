import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkClientAnswer } from '../../../../agent-server/acp/rpc/client-answers.js';
import { agent } from '../../../../agent-server/acp/rpc/index.js';
import { ClientWorkspace } from '../../../../agent-server/acp/client-workspace.js';
import { PathPolicy } from '../../../../agent-server/workspace/paths.js';
import { request, wire } from '../../../helpers/acp-wire.js';

// The client's answers Cairn reads are checked: a malformed one is a clear error for the call
// that asked, never a TypeError further on.

describe('checkClientAnswer', () => {
  const bad: [string, unknown, string][] = [
    ['session/request_permission', { outcome: 'allow' }, 'result.outcome must be an object, got a string'],
    [
      'session/request_permission',
      { outcome: { outcome: 'selected' } },
      'result.outcome.optionId must be a string',
    ],
    [
      'session/request_permission',
      { outcome: { outcome: 'maybe' } },
      'result.outcome.outcome must be "selected" or "cancelled"',
    ],
    ['session/request_permission', null, 'result must be an object, got null'],
    ['fs/read_text_file', { content: 5 }, 'result.content must be a string, got a number'],
    ['terminal/create', {}, 'result.terminalId must be a string, got nothing'],
    ['terminal/output', { output: 'x' }, 'result.truncated must be a boolean'],
  ];
  for (const [method, answer, says] of bad) {
    it(`${method}: ${says}`, () => {
      assert.throws(
        () => checkClientAnswer(method, answer),
        (err: Error) => err.message.startsWith(`The client's answer to ${method} is malformed: ${says}`),
      );
    });
  }

  it('passes good answers; drops malformed exit details; an empty answer to a write is {}', () => {
    const permission = { outcome: { outcome: 'selected', optionId: 'allow_once' } };
    assert.deepEqual(checkClientAnswer('session/request_permission', permission), permission);
    assert.deepEqual(checkClientAnswer('session/request_permission', { outcome: { outcome: 'cancelled' } }), {
      outcome: { outcome: 'cancelled' },
    });
    assert.deepEqual(checkClientAnswer('terminal/wait_for_exit', { exitCode: -1, signal: 'SIGTERM' }), {
      signal: 'SIGTERM',
    });
    assert.deepEqual(
      checkClientAnswer('terminal/output', {
        output: 'o',
        truncated: false,
        exitStatus: { exitCode: 2, signal: 9 },
      }),
      { output: 'o', truncated: false, exitStatus: { exitCode: 2 } },
    );
    assert.deepEqual(checkClientAnswer('fs/write_text_file', null), {});
    assert.deepEqual(checkClientAnswer('terminal/release', undefined), {});
    assert.equal(checkClientAnswer('_cairn/anything', 7), 7);
  });
});

it('a malformed fs/read_text_file answer fails the read with what is wrong', async () => {
  let read!: Promise<string | undefined>;
  const app = agent().onRequest(
    '_t/read',
    (raw) => raw,
    ({ client }) => {
      const ws = new ClientWorkspace(new PathPolicy('/'), client, 's', { read: true, write: false });
      read = ws.readText('/etc/hostname');
      return {};
    },
  );
  const w = wire(app);
  await w.send(request(1, '_t/read', {}));
  const asked = await w.next();
  assert.equal(asked.method, 'fs/read_text_file');
  await w.next();
  await w.send({ jsonrpc: '2.0', id: asked.id, result: { content: 42 } });
  await assert.rejects(
    read,
    /The client's answer to fs\/read_text_file is malformed: result\.content must be a string/,
  );
});
