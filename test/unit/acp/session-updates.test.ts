import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sessionEventToUpdate } from '../../../agent-server/acp/session-updates.js';

const both = { compaction: true, notices: true };
const neither = { compaction: false, notices: false };
const at = () => new Date('2026-01-02T03:04:05Z');

test('session-level events become their session/update', () => {
  assert.deepEqual(sessionEventToUpdate({ type: 'title_changed', title: 'Fix it' }, both, at), {
    sessionUpdate: 'session_info_update',
    title: 'Fix it',
    updatedAt: '2026-01-02T03:04:05.000Z',
  });
  assert.deepEqual(
    sessionEventToUpdate({ type: 'usage', usedTokens: 10, contextWindow: 100, estimated: true }, both),
    { sessionUpdate: 'usage_update', used: 10, size: 100 },
  );
  assert.deepEqual(
    sessionEventToUpdate(
      {
        type: 'commands_changed',
        commands: [
          { name: 'a', description: 'A', hint: 'x' },
          { name: 'b', description: 'B' },
        ],
      },
      both,
    ),
    {
      sessionUpdate: 'available_commands_update',
      availableCommands: [
        { name: 'a', description: 'A', input: { hint: 'x' } },
        { name: 'b', description: 'B' },
      ],
    },
  );
  assert.deepEqual(sessionEventToUpdate({ type: 'command_reply', command: 'status', text: 'ok' }, both), {
    sessionUpdate: 'agent_message_chunk',
    content: { type: 'text', text: 'ok' },
  });
});

test('compaction events follow what the client can show', () => {
  const started = { type: 'compaction_started', compactionId: 'c1' } as const;
  assert.deepEqual(sessionEventToUpdate(started, both), {
    sessionUpdate: 'compaction_update',
    compactionId: 'c1',
    status: 'in_progress',
  });
  assert.equal(sessionEventToUpdate(started, neither), undefined);
  const failed = { type: 'compaction_failed', compactionId: 'c1', error: 'model down' } as const;
  assert.equal(sessionEventToUpdate(failed, both)?.sessionUpdate, 'compaction_update');
  const asText = sessionEventToUpdate(failed, neither);
  assert.ok(asText?.sessionUpdate === 'agent_message_chunk' && JSON.stringify(asText).includes('model down'));
  const done = { type: 'compacted', compactionId: 'c1', summary: 'S', historyId: 'h' } as const;
  assert.equal(sessionEventToUpdate(done, both)?.sessionUpdate, 'compaction_update');
  assert.equal(sessionEventToUpdate(done, neither)?.sessionUpdate, 'agent_message_chunk');
});

test('a queued prompt is a notice only for clients that show notices', () => {
  const queued = { type: 'queued', position: 1 } as const;
  assert.equal(sessionEventToUpdate(queued, both)?.sessionUpdate, 'notice');
  assert.equal(sessionEventToUpdate(queued, neither), undefined);
});

test('steering: a delivered steer is a notice only where notices show; an undelivered one is always said; the queue is not a session/update', () => {
  const steered = { type: 'steered', text: 'use tabs' } as const;
  assert.equal(sessionEventToUpdate(steered, both)?.sessionUpdate, 'notice');
  assert.equal(sessionEventToUpdate(steered, neither), undefined);
  const dropped = { type: 'steer_dropped', text: 'use tabs', reason: 'the turn was cancelled' } as const;
  assert.deepEqual(sessionEventToUpdate(dropped, both), {
    sessionUpdate: 'notice',
    severity: 'warning',
    title: 'Not delivered (the turn was cancelled): use tabs',
  });
  const asText = sessionEventToUpdate(dropped, neither);
  assert.equal(asText?.sessionUpdate, 'agent_message_chunk');
  assert.match(JSON.stringify(asText), /Not delivered \(the turn was cancelled\): use tabs/);
  assert.equal(sessionEventToUpdate({ type: 'queue_changed', queued: [] }, both), undefined);
});
