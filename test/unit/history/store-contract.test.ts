import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  InMemoryHistoryStore,
  JournalHistoryStore,
  type HistoryStore,
} from '../../../agent-server/history/index.js';

// What every HistoryStore must do, run against each implementation.
const stores: [string, () => Promise<HistoryStore>][] = [
  ['in memory', async () => new InMemoryHistoryStore()],
  ['journal', () => JournalHistoryStore.inMemory()],
];

for (const [name, open] of stores) {
  test(`${name}: sessions, records, children, listing, search and delete`, async (t) => {
    const store = await open();
    t.after(() => store.close());
    await store.createSession({ id: 'a', cwd: '/w', createdAt: 1000 });
    await store.append('a', {
      type: 'message',
      message: { role: 'user', content: 'Fix the flaky queue test' },
      at: 1001,
    });
    await store.append('a', {
      type: 'message',
      message: { role: 'assistant', content: 'Done: the queue waits now.' },
      at: 1002,
    });
    await store.updateSession('a', { title: 'Flaky queue' });
    await store.createSession({ id: 'b', cwd: '/w', parentId: 'a', createdAt: 2000 });
    await store.append('b', { type: 'compaction', summary: 'We fixed the queue.', carried: 0, at: 2001 });
    await store.createSession({ id: 'empty', cwd: '/other', createdAt: 3000 });

    assert.equal((await store.getSession('a'))?.title, 'Flaky queue');
    assert.equal((await store.getSession('a'))?.recordCount, 2);
    assert.deepEqual(
      (await store.readSession('a')).map((r) => [r.ord, r.type]),
      [
        [0, 'message'],
        [1, 'message'],
      ],
    );
    assert.equal((await store.readSession('a', { from: 1 })).length, 1);
    assert.equal((await store.childOf('a'))?.id, 'b');
    assert.deepEqual(
      (await store.listSessions({ nonEmpty: true, latestOnly: true })).sessions.map((s) => s.id),
      ['b'],
    );
    const page = await store.listSessions({ limit: 1 });
    assert.equal(page.sessions.length, 1);
    assert.ok(page.nextCursor);
    assert.equal((await store.listSessions({ cursor: page.nextCursor, limit: 5 })).sessions.length, 2);

    const hits = await store.search({ query: 'queue', role: 'user' });
    assert.deepEqual(
      hits.map((h) => [h.sessionId, h.ord]),
      [['a', 0]],
    );
    assert.equal((await store.search({ query: 'nothing-like-this' })).length, 0);

    assert.equal(await store.deleteSession('a'), true);
    assert.equal(await store.getSession('a'), undefined);
    assert.equal(await store.deleteSession('a'), false);
  });

  test(`${name}: a session's origin and settings are kept, settings replaced by a patch`, async (t) => {
    const store = await open();
    t.after(() => store.close());
    await store.createSession({
      id: 'fork',
      cwd: '/w',
      origin: { kind: 'fork', sessionId: 'src', beforeUserMessage: 2 },
      settings: { mode: 'auto', model: 'm1' },
    });
    await store.createSession({ id: 'plain', cwd: '/w' });
    assert.deepEqual((await store.getSession('fork'))?.origin, {
      kind: 'fork',
      sessionId: 'src',
      beforeUserMessage: 2,
    });
    assert.equal((await store.getSession('plain'))?.origin, undefined);
    await store.updateSession('fork', { settings: { mode: 'plan', config: { reasoning_effort: 'high' } } });
    await store.updateSession('fork', { title: 'Renamed' });
    const meta = await store.getSession('fork');
    assert.deepEqual(meta?.settings, { mode: 'plan', config: { reasoning_effort: 'high' } });
    assert.equal(meta?.title, 'Renamed');
    const listed = (await store.listSessions()).sessions.find((s) => s.id === 'fork');
    assert.equal(listed?.origin?.kind, 'fork');
  });
}
