import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  InMemoryHistoryStore,
  JournalHistoryStore,
  type HistoryStore,
} from '../../../agent-server/history/index.js';

// Listing delegated tasks' sessions: hidden on request, or only those of given parents.
const stores: [string, () => Promise<HistoryStore>][] = [
  ['in memory', async () => new InMemoryHistoryStore()],
  ['journal', () => JournalHistoryStore.inMemory()],
];

for (const [name, open] of stores) {
  test(`${name}: hideDelegated leaves children out; delegatedBy lists only the children of those parents`, async (t) => {
    const store = await open();
    t.after(() => store.close());
    await store.createSession({ id: 'p1', cwd: '/w', createdAt: 1 });
    await store.createSession({ id: 'p2', cwd: '/w', createdAt: 2 });
    await store.createSession({
      id: 'forked',
      cwd: '/w',
      createdAt: 3,
      origin: { kind: 'fork', sessionId: 'p1' },
    });
    await store.createSession({
      id: 'c1',
      cwd: '/w',
      createdAt: 4,
      origin: { kind: 'delegated', sessionId: 'p1', task: 'one' },
    });
    await store.createSession({
      id: 'c2',
      cwd: '/w',
      createdAt: 5,
      origin: { kind: 'delegated', sessionId: 'p2', task: 'two' },
    });
    const ids = async (q: Parameters<HistoryStore['listSessions']>[0]) =>
      (await store.listSessions(q)).sessions.map((s) => s.id).sort();
    assert.deepEqual(await ids({}), ['c1', 'c2', 'forked', 'p1', 'p2']);
    assert.deepEqual(await ids({ hideDelegated: true }), ['forked', 'p1', 'p2']);
    assert.deepEqual(await ids({ delegatedBy: ['p1'] }), ['c1']);
    assert.deepEqual(await ids({ delegatedBy: ['p1', 'p2'] }), ['c1', 'c2']);
    assert.deepEqual(await ids({ delegatedBy: [] }), []);
    await store.deleteSession('c1');
    assert.deepEqual(await ids({ delegatedBy: ['p1', 'p2'] }), ['c2']);
  });
}
