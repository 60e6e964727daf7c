import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  JobResultsBadge,
  countUnseenJobResults,
  type SessionPage,
  type ViewBadge,
} from '../../../extension/job-results.js';
import type { SessionSummary } from '../../../shared/webview-protocol.js';

const session = (id: string, extra: Partial<SessionSummary> = {}): SessionSummary => ({
  sessionId: id,
  title: id,
  updatedAt: null,
  cwd: '/w',
  ...extra,
});
const job = (id: string, unseen: boolean) =>
  session(id, { origin: { kind: 'job', jobName: 'deps' }, ...(unseen ? { unseen } : {}) });

test('only unseen job runs count, over the pages of session/list', async () => {
  const pages: Record<string, SessionPage> = {
    first: { sessions: [job('j1', true), session('chat'), job('j2', false)], nextCursor: 'next' },
    next: {
      sessions: [job('j3', true), session('fork', { origin: { kind: 'fork' }, unseen: true })],
      nextCursor: null,
    },
  };
  assert.equal(await countUnseenJobResults(async (cursor) => pages[cursor ?? 'first']!), 2);
});

test('the badge shows the count, disappears at zero, and stays as it was when the list fails', async () => {
  const shown: ViewBadge[] = [];
  let sessions = [job('j1', true), job('j2', true)];
  let fail = false;
  const logs: string[] = [];
  const badge = new JobResultsBadge({
    list: async () => {
      if (fail) throw new Error('agent stopped');
      return { sessions, nextCursor: null };
    },
    show: (b) => shown.push(b),
    log: (l) => logs.push(l),
  });
  await badge.refresh();
  assert.deepEqual(shown, [{ value: 2, tooltip: '2 job results not seen yet' }]);
  sessions = [job('j1', false), job('j2', false)];
  await badge.refresh();
  assert.deepEqual(shown.at(-1), { value: 0, tooltip: '' }, 'a zero badge shows nothing');
  fail = true;
  await badge.refresh();
  assert.equal(shown.length, 2, 'a failure changes nothing');
  assert.match(logs[0] ?? '', /agent stopped/);
});

test('refreshes asked for during one run once more after it, not once each', async () => {
  let calls = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const badge = new JobResultsBadge({
    list: async () => {
      calls++;
      await gate;
      return { sessions: [], nextCursor: null };
    },
    show: () => {},
    log: () => {},
  });
  const first = badge.refresh();
  void badge.refresh();
  void badge.refresh();
  release();
  await first;
  assert.equal(calls, 2);
});
