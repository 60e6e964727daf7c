import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as acp from '@agentclientprotocol/sdk';
import { UpdateRenderer } from '../../../agent-server/cli/render.js';

// `cairn run` prints each tool call once with how it ended: ✓ done, ✗ failed, ⊘ rejected or
// cancelled, with the reason, and a diff only for a change that happened.

const cwd = '/repo';
const diff: acp.ToolCallContent = { type: 'diff', path: '/repo/a.txt', oldText: 'old\n', newText: 'new\n' };

function rendered(updates: acp.SessionUpdate[]): string {
  let out = '';
  const r = new UpdateRenderer((s) => (out += s), cwd);
  for (const u of updates) r.render(u);
  r.finish();
  // Colours are off when stdout is not a terminal; strip them anyway.
  return out.replace(/\x1b\[[0-9;]*m/g, '');
}

const started: acp.SessionUpdate = {
  sessionUpdate: 'tool_call',
  toolCallId: 't1',
  title: 'Write a.txt',
  kind: 'edit',
  status: 'pending',
  content: [diff],
};

function ended(outcome: string, reason: string | undefined, text: string): acp.SessionUpdate {
  return {
    sessionUpdate: 'tool_call_update',
    toolCallId: 't1',
    status: 'failed',
    content: [{ type: 'content', content: { type: 'text', text } }],
    rawOutput: { outcome, ...(reason ? { reason } : {}) },
    _meta: { cairn: { outcome, ...(reason ? { reason } : {}) } },
  };
}

test('a completed edit prints ✓ and its diff', () => {
  const out = rendered([
    started,
    { sessionUpdate: 'tool_call_update', toolCallId: 't1', status: 'completed', content: [diff] },
  ]);
  assert.match(out, /^✓ Write a\.txt$/m);
  assert.match(out, /\+new/);
});

test('a rejected edit prints ⊘ with the reason and no diff', () => {
  const out = rendered([started, ended('rejected', 'Rejected by the user', 'Rejected by the user')]);
  assert.match(out, /^⊘ Write a\.txt — Rejected by the user$/m);
  assert.doesNotMatch(out, /✓|\+new|-old/);
  assert.equal(out.match(/Rejected by the user/g)?.length, 1, 'said once');
});

test('a failed write prints ✗ Failed: with the error; a cancelled command prints ⊘ Cancelled', () => {
  const failed = rendered([
    started,
    ended(
      'failed',
      "EACCES: permission denied, open 'a.txt'",
      "Failed: EACCES: permission denied, open 'a.txt'",
    ),
  ]);
  assert.match(failed, /^✗ Write a\.txt — Failed: EACCES: permission denied, open 'a\.txt'$/m);
  assert.doesNotMatch(failed, /\+new/);

  const cancelled = rendered([
    { sessionUpdate: 'tool_call', toolCallId: 't1', title: 'sleep 30', kind: 'execute', status: 'pending' },
    ended('cancelled', undefined, 'Cancelled'),
  ]);
  assert.match(cancelled, /^⊘ sleep 30 — Cancelled$/m);
});

test('a plain failed status from another agent is ✗ Failed, and still never shows a diff', () => {
  const out = rendered([
    started,
    { sessionUpdate: 'tool_call_update', toolCallId: 't1', status: 'failed', content: [diff] },
  ]);
  assert.match(out, /^✗ Write a\.txt — Failed$/m);
  assert.doesNotMatch(out, /\+new/);
});
