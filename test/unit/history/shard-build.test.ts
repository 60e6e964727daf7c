import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { JournalHistoryStore, type HistoryRecord } from '../../../agent-server/history/index.js';
import { loadSqlJs } from '../../../agent-server/history/sqlite.js';

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cairn-shard-build-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const user = (content: string): HistoryRecord => ({ type: 'message', message: { role: 'user', content } });

async function shardNames(dir: string): Promise<string[]> {
  const names = (await readdir(path.join(dir, 'index'))).filter((n) => n.startsWith('shard-'));
  return names.sort((a, b) => Number(a.split('-')[1]) - Number(b.split('-')[1]));
}

/** Full-text index segments in a shard file (one per commit until merged). */
async function ftsSegments(dir: string, name: string): Promise<number> {
  const sql = await loadSqlJs();
  const db = new sql.Database(await readFile(path.join(dir, 'index', name)));
  try {
    return db.exec('SELECT count(*) FROM records_fts_segdir')[0]!.values[0]![0] as number;
  } finally {
    db.close();
  }
}

test('a rebuild indexes each journal batch in one transaction, and a sealed shard is merged into one segment', async (t) => {
  const dir = await tempDir(t);
  const a = await JournalHistoryStore.open(dir, { shardRecords: 20 });
  await a.createSession({ id: 's', cwd: '/p' });
  for (let i = 0; i < 30; i++) await a.append('s', user(`heron survey ${i}`));
  await a.close();
  await rm(path.join(dir, 'index'), { recursive: true, force: true });

  const b = await JournalHistoryStore.open(dir, { shardRecords: 20 });
  await b.whenSearchReady();
  await b.close();
  const [sealed, live] = await shardNames(dir);
  assert.equal(await ftsSegments(dir, sealed!), 1, 'the sealed shard is optimized');
  assert.equal(await ftsSegments(dir, live!), 1, 'the ten records after it went in in one commit');
});

test('sealed shards searched once stay open for the next search within the budget, and are closed past it', async (t) => {
  for (const [budget, kept] of [
    [undefined, true],
    [0, false],
  ] as const) {
    const dir = await tempDir(t);
    const a = await JournalHistoryStore.open(dir, { shardRecords: 4 });
    await a.createSession({ id: 's', cwd: '/p' });
    for (let i = 0; i < 12; i++) await a.append('s', user(`kestrel note ${i}`));
    await a.close();

    const b = await JournalHistoryStore.open(dir, { shardRecords: 4, openShardBytes: budget });
    t.after(() => b.close());
    assert.equal((await b.search({ query: 'kestrel', limit: 50 })).length, 12);
    // With its files gone, only shards still open can answer.
    const sealed = (await shardNames(dir)).slice(0, 3);
    for (const name of sealed) await rm(path.join(dir, 'index', name));
    const again = await b.search({ query: 'kestrel', limit: 50 });
    assert.equal(again.length, kept ? 12 : 0, `budget ${budget ?? 'default'}`);
  }
});

test('over sealed shards a search keeps to its project, and a deleted session is never found, purged or not', async (t) => {
  const dir = await tempDir(t);
  const a = await JournalHistoryStore.open(dir, { shardRecords: 4 });
  await a.createSession({ id: 'here', cwd: '/here' });
  await a.createSession({ id: 'there', cwd: '/there' });
  await a.createSession({ id: 'doomed', cwd: '/here' });
  for (let i = 0; i < 6; i++) {
    await a.append('here', user(`plover count ${i}`));
    await a.append('there', user(`plover count ${i}`));
    await a.append('doomed', user(`plover count ${i}`));
  }
  await a.close();

  // Closed in the test itself, not in an `after` hook: hooks run in the order they were added, so
  // the folder's removal (added first) would race the purge that deleteSession starts.
  const b = await JournalHistoryStore.open(dir, { shardRecords: 4 });
  try {
    await searchAndDelete(b);
  } finally {
    await b.close();
  }
});

async function searchAndDelete(b: JournalHistoryStore): Promise<void> {
  const scoped = await b.search({ query: 'plover', cwd: '/here', limit: 50 });
  assert.deepEqual([...new Set(scoped.map((h) => h.sessionId))].sort(), ['doomed', 'here']);
  assert.equal((await b.search({ query: 'plover', limit: 50 })).length, 18);
  await b.deleteSession('doomed');
  const after = await b.search({ query: 'plover', limit: 50 });
  assert.equal(after.length, 12);
  assert.ok(after.every((h) => h.sessionId !== 'doomed'));
  assert.deepEqual(
    [...new Set((await b.search({ query: 'plover', cwd: '/here', limit: 50 })).map((h) => h.sessionId))],
    ['here'],
  );
}
