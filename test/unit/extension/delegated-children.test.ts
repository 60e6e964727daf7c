import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DelegatedChildren, readDelegateChild } from '../../../extension/delegated-children.js';
import { listedOrigin } from '../../../extension/session-origin.js';
import type { DelegateChildNotification } from '../../../shared/delegation-protocol.js';

const child = (id: string, parent = 'p1', status: DelegateChildNotification['status'] = 'running') => ({
  sessionId: parent,
  childSessionId: id,
  toolCallId: 'd1',
  label: `Task ${id}`,
  goal: 'g',
  toolset: 'read',
  status,
});

test('the host keeps the open session’s children and their updates, and knows each one’s parent', () => {
  const children = new DelegatedChildren();
  assert.equal(children.status(child('c1', 'elsewhere'), 'p1'), false, 'not the open session');
  assert.equal(children.status(child('c1'), 'p1'), true);
  const text = {
    sessionUpdate: 'agent_message_chunk' as const,
    content: { type: 'text' as const, text: 'hi' },
  };
  assert.equal(children.update({ sessionId: 'c1', update: text }), true);
  assert.equal(children.update({ sessionId: 'p1', update: text }), false, 'the parent’s own update');
  children.status(child('c1', 'p1', 'done'), 'p1');
  assert.deepEqual(children.of('p1'), [{ info: child('c1', 'p1', 'done'), updates: [text] }]);
  assert.equal(children.parentOf('c1'), 'p1');
  // Another session's children replace the earlier ones.
  children.status(child('c9', 'p2'), 'p2');
  assert.deepEqual(children.of('p1'), []);
  assert.equal(children.parentOf('c1'), undefined);
});

test('_cairn/delegate/child params are checked', () => {
  assert.deepEqual(readDelegateChild(child('c1')), child('c1'));
  assert.throws(() => readDelegateChild({ ...child('c1'), status: 'finished' }), /unknown status/);
  assert.throws(() => readDelegateChild({ ...child('c1'), childSessionId: 3 }), /childSessionId/);
});

test('session/list _meta.cairn gives a job run’s origin and whether it is unseen', () => {
  assert.deepEqual(
    listedOrigin({
      cairn: { origin: { kind: 'job', jobId: 'j1', jobName: 'deps', outcome: 'failed' }, unseen: true },
    }),
    { origin: { kind: 'job', jobName: 'deps', outcome: 'failed' }, unseen: true },
  );
  assert.deepEqual(listedOrigin({ cairn: { origin: { kind: 'fork', sessionId: 's' } } }), {
    origin: { kind: 'fork' },
  });
  assert.deepEqual(listedOrigin(undefined), {});
  assert.deepEqual(listedOrigin({ other: 1 }), {});
});
