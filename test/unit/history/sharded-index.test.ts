import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { JournalHistoryStore, type HistoryRecord } from '../../../agent-server/history/index.js';

const DAY = 86_400_000;

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cairn-shards-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const user = (content: string, at?: number): HistoryRecord => ({
  type: 'message',
  message: { role: 'user', content },
  ...(at !== undefined ? { at } : {}),
});

test('sealed shards: records spread over several shard files are searched and read back after a restart', async (t) => {
  const dir = await tempDir(t);
  const a = await JournalHistoryStore.open(dir, { shardRecords: 4 });
  await a.createSession({ id: 'long', cwd: '/p' });
  for (let i = 0; i < 11; i++) await a.append('long', user(`step ${i} of the walrus migration`));
  await a.close();
  const shardFiles = (await readdir(path.join(dir, 'index'))).filter((n) => n.startsWith('shard-'));
  assert.equal(shardFiles.length, 3, 'three shards of at most four records');

  const b = await JournalHistoryStore.open(dir, { shardRecords: 4 });
  t.after(() => b.close());
  assert.deepEqual(
    (await b.readSession('long')).map((r) => (r.type === 'message' ? r.message.content : '')),
    Array.from({ length: 11 }, (_, i) => `step ${i} of the walrus migration`),
  );
  assert.deepEqual(
    (await b.readSession('long', { from: 3, to: 6 })).map((r) => r.ord),
    [3, 4, 5],
  );
  const hit = (await b.search({ query: 'step 1 walrus', limit: 50 })).find((h) => h.ord === 1);
  assert.ok(hit, 'a record in the oldest shard is found');
  assert.match(hit.snippet, /\[walrus\]/, 'the snippet is made from the journal text');
});

test('a search with enough hits in recent shards stops there and says how far back it looked', async (t) => {
  const dir = await tempDir(t);
  const disk = await JournalHistoryStore.open(dir, { shardRecords: 5 });
  t.after(() => disk.close());
  await disk.createSession({ id: 's', cwd: '/p' });
  const now = Date.now();
  for (let i = 0; i < 30; i++) await disk.append('s', user(`otter report ${i}`, now - (30 - i) * DAY));
  const found = await disk.searchRanked({ query: 'otter', limit: 3 });
  assert.equal(found.hits.length, 3);
  assert.ok(found.searchedBack !== undefined, 'older shards were left out');
  assert.ok(
    found.hits.every((h) => h.ord >= 25),
    'hits come from the newest shard',
  );
  // Narrowed by date, the older messages are reached.
  const older = await disk.searchRanked({ query: 'otter', limit: 3, until: now - 25 * DAY });
  assert.ok(older.hits.length > 0 && older.hits.every((h) => h.at < now - 25 * DAY));
  // Before the folder is removed (the index may still be writing its first snapshot).
  await disk.close();
});

test('ranking favours the preferred project among equally good matches', async (t) => {
  const store = await JournalHistoryStore.inMemory();
  t.after(() => store.close());
  const at = Date.now() - DAY;
  await store.createSession({ id: 'elsewhere', cwd: '/other' });
  await store.createSession({ id: 'here', cwd: '/mine' });
  await store.append('elsewhere', user('we picked postgres for the ledger', at));
  await store.append('here', user('we picked postgres for the ledger', at));
  for (const preferCwd of ['/mine', '/other']) {
    const { hits } = await store.searchRanked({ query: 'postgres ledger', preferCwd });
    assert.equal(hits[0]?.cwd, preferCwd);
  }
});

test('a query matching over a thousand messages says so, and only the newest thousand are ranked', async (t) => {
  const store = await JournalHistoryStore.inMemory();
  t.after(() => store.close());
  await store.createSession({ id: 's', cwd: '/p' });
  // The 200 oldest say "common" four times (the best BM25 scores), the 1,000 newest once.
  for (let i = 0; i < 1200; i++)
    await store.append('s', user(i < 200 ? `common common common common ${i}` : `common word ${i}`));
  const broad = await store.searchRanked({ query: 'common', limit: 5 });
  assert.equal(broad.tooMany, true);
  assert.equal(broad.matched, 1000);
  assert.ok(
    broad.hits.every((h) => h.ord >= 200),
    'the older, better matches were not ranked: ranking every match of a common word cost 20-30 ms',
  );
  const narrow = await store.searchRanked({ query: '"common word 420"', limit: 5 });
  assert.equal(narrow.tooMany, false);
  assert.equal(narrow.hits[0]?.ord, 420);
});

test('when too few messages match every term, the fallback ranks the newest 500 matching any term', async (t) => {
  const store = await JournalHistoryStore.inMemory();
  t.after(() => store.close());
  await store.createSession({ id: 's', cwd: '/p' });
  for (let i = 0; i < 600; i++)
    await store.append('s', user(i < 100 ? `alpha alpha alpha alpha ${i}` : `alpha note ${i}`));
  await store.append('s', user('alpha beta, the one message with both'));
  const found = await store.searchRanked({ query: 'alpha beta', limit: 5 });
  assert.equal(found.hits[0]?.ord, 600, 'a message with every term ranks first');
  assert.equal(found.hits.length, 5);
  assert.ok(
    found.hits.slice(1).every((h) => h.ord >= 100),
    'any-term matches older than the newest 500 were not ranked',
  );
});

test('prune deletes sessions older than keepDays, erases their text and removes emptied journal files; stats count what is left', async (t) => {
  const dir = await tempDir(t);
  const now = Date.now();
  const old = await JournalHistoryStore.open(dir);
  await old.createSession({ id: 'ancient', cwd: '/p', createdAt: now - 400 * DAY });
  await old.append('ancient', user('ancient secret', now - 400 * DAY));
  await old.close();
  // As if written by a process that has exited (pid 2^22+1: no such process).
  const [segment] = await readdir(path.join(dir, 'journal'));
  await rename(
    path.join(dir, 'journal', segment!),
    path.join(dir, 'journal', segment!.replace(`-${process.pid}-`, '-4194305-')),
  );
  await rm(path.join(dir, 'index'), { recursive: true });
  const store = await JournalHistoryStore.open(dir);
  t.after(() => store.close());
  await store.createSession({ id: 'recent', cwd: '/q' });
  await store.append('recent', user('recent words'));
  const before = (await readdir(path.join(dir, 'journal'))).length;
  assert.equal(await store.prune(365, now), 1);
  assert.equal(await store.getSession('ancient'), undefined);
  assert.deepEqual(await store.search({ query: 'ancient' }), []);
  assert.equal(
    (await readdir(path.join(dir, 'journal'))).length,
    before - 1,
    "the old process's file is gone",
  );
  const stats = await store.stats();
  assert.equal(stats.sessions, 1);
  assert.equal(stats.records, 1);
  assert.deepEqual(
    stats.projects.map((p) => [p.cwd, p.sessions, p.records, p.textBytes]),
    [['/q', 1, 1, 'recent words'.length]],
  );
  assert.ok(stats.journalBytes > 0);
  await assert.rejects(store.prune(-1), /keepDays/);
});
