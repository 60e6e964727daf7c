import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { JournalHistoryStore, type HistoryRecord } from '../../../agent-server/history/index.js';

// The index (SQLite in WebAssembly, 20 MB and more in memory) loads when history is read, when
// enough own entries wait for it, or at close: never just because a session was recorded.

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cairn-lazy-index-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const user = (content: string): HistoryRecord => ({ type: 'message', message: { role: 'user', content } });
const indexFiles = async (dir: string) =>
  existsSync(path.join(dir, 'index')) ? await readdir(path.join(dir, 'index')) : [];
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('recording a session loads no index; the first search does, and finds what was recorded', async (t) => {
  const dir = await tempDir(t);
  const store = await JournalHistoryStore.open(dir);
  await store.createSession({ id: 's', cwd: '/p' });
  await store.append('s', user('a note about the pelican migration'));
  await pause(300);
  assert.deepEqual(await indexFiles(dir), [], 'the index loaded (and was saved) without a read');

  const hits = await store.search({ query: 'pelican' });
  assert.deepEqual(
    hits.map((h) => h.sessionId),
    ['s'],
  );
  await store.close();
  assert.ok((await indexFiles(dir)).includes('catalog.sqlite'));
});

test('own entries past a megabyte load the index without any read', async (t) => {
  const dir = await tempDir(t);
  const store = await JournalHistoryStore.open(dir);
  t.after(() => store.close());
  await store.createSession({ id: 'big', cwd: '/p' });
  const line = 'tool output of a long build log line '.repeat(100);
  for (let i = 0; i < 300; i++) await store.append('big', user(`${i} ${line}`));
  for (let i = 0; i < 200 && !(await indexFiles(dir)).includes('catalog.sqlite'); i++) await pause(25);
  assert.ok((await indexFiles(dir)).includes('catalog.sqlite'), 'the index never loaded');
  await store.close();
});

test('a store closed before anyone read it indexes its entries then; the next start finds them', async (t) => {
  const dir = await tempDir(t);
  const first = await JournalHistoryStore.open(dir);
  await first.createSession({ id: 'run', cwd: '/p' });
  await first.append('run', user('the heron configuration was changed'));
  await first.close();
  assert.ok((await indexFiles(dir)).includes('catalog.sqlite'), 'close left the entries unindexed');

  const second = await JournalHistoryStore.open(dir);
  t.after(() => second.close());
  const hits = await second.search({ query: 'heron' });
  assert.deepEqual(
    hits.map((h) => h.sessionId),
    ['run'],
  );
});

test("a lazily loaded index holds each own entry once, even when another process's snapshot read them", async (t) => {
  const dir = await tempDir(t);
  const writer = await JournalHistoryStore.open(dir);
  const reader = await JournalHistoryStore.open(dir);
  t.after(() => Promise.all([writer.close(), reader.close()]));
  await writer.createSession({ id: 'w', cwd: '/p' });
  await writer.append('w', user('the kestrel appears once'));
  // The reader indexes the writer's segment and saves a snapshot the writer then opens.
  assert.equal((await reader.search({ query: 'kestrel' })).length, 1);
  await reader.snapshot();
  assert.equal((await writer.search({ query: 'kestrel' })).length, 1);
  assert.equal((await writer.readSession('w')).length, 1);
});
