import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { appendFile, cp, mkdtemp, readdir, rm, writeFile, readFile } from 'node:fs/promises';
import { JournalHistoryStore, type HistoryRecord } from '../../../agent-server/history/index.js';

type TestContext = { after: (fn: () => Promise<void>) => void };

/** A temp folder removed after the test, once the stores opened on it are closed. */
async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cairn-history-'));
  t.after(async () => {
    await Promise.all((opened.get(dir) ?? []).map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  });
  return dir;
}

const opened = new Map<string, JournalHistoryStore[]>();
async function openStore(dir: string): Promise<JournalHistoryStore> {
  const store = await JournalHistoryStore.open(dir);
  opened.set(dir, [...(opened.get(dir) ?? []), store]);
  return store;
}

const user = (content: string, at?: number): HistoryRecord => ({
  type: 'message',
  message: { role: 'user', content },
  at,
});
const assistant = (content: string, at?: number): HistoryRecord => ({
  type: 'message',
  message: { role: 'assistant', content },
  at,
});

test('records come back in order with their positions, including tool calls and their final state', async (t) => {
  const store = await openStore(await tempDir(t));
  await store.createSession({ id: 's1', cwd: '/proj', model: 'm1' });
  const records: HistoryRecord[] = [
    user('read the config please'),
    {
      type: 'message',
      message: {
        role: 'assistant',
        content: '',
        reasoning: 'I should read it',
        toolCalls: [{ id: 'c1', name: 'read_file', arguments: '{"path":"a.json"}' }],
      },
    },
    {
      type: 'message',
      message: { role: 'tool', toolCallId: 'c1', name: 'read_file', content: '{"debug": true}' },
    },
    {
      type: 'tool_call',
      toolCall: {
        toolCallId: 'c1',
        title: 'Read a.json',
        kind: 'read',
        status: 'completed',
        content: [{ type: 'text', text: '{"debug": true}' }],
        locations: [{ path: '/proj/a.json' }],
        rawInput: { path: 'a.json' },
      },
    },
    assistant('debug is on'),
  ];
  for (const r of records) await store.append('s1', r);
  const back = await store.readSession('s1');
  assert.deepEqual(
    back.map(({ ord, at, ...r }) => {
      assert.equal(typeof at, 'number');
      return { ord, ...r };
    }),
    records.map((r, ord) => ({ ord, ...r, at: undefined })).map(({ at: _at, ...r }) => r),
  );
  assert.deepEqual(
    (await store.readSession('s1', { from: 1, to: 3 })).map((r) => r.ord),
    [1, 2],
  );
  const meta = await store.getSession('s1');
  assert.equal(meta?.recordCount, 5);
  assert.equal(meta?.model, 'm1');
});

test('history survives a restart, with and without a clean close (no snapshot: rebuilt from the journal)', async (t) => {
  const dir = await tempDir(t);
  const a = await openStore(dir);
  await a.createSession({ id: 'kept', cwd: '/p', title: 'Kept session' });
  await a.append('kept', user('the build uses esbuild with an inline wasm'));
  await a.close();
  assert.ok(
    (await readdir(path.join(dir, 'index'))).includes('catalog.sqlite'),
    'a clean close writes a snapshot',
  );

  const b = await openStore(dir);
  await b.append('kept', assistant('noted: esbuild bundles sql.js'));
  // No close: like a crash after the append was acknowledged.
  const c = await openStore(dir);
  const records = await c.readSession('kept');
  assert.equal(records.length, 2);
  assert.equal((await c.getSession('kept'))?.title, 'Kept session');
  const hits = await c.search({ query: 'esbuild' });
  assert.deepEqual(hits.map((h) => h.ord).sort(), [0, 1]);
  void b;
});

test('the obviously best hit ranks first', async (t) => {
  const store = await JournalHistoryStore.inMemory();
  t.after(() => store.close());
  await store.createSession({ id: 'a', cwd: '/p' });
  await store.createSession({ id: 'b', cwd: '/p' });
  const filler = 'we looked at the code and ran the tests, then talked about lunch and the weather today';
  for (let i = 0; i < 30; i++) await store.append('a', user(`${filler} number ${i}`));
  await store.append(
    'a',
    assistant(`A long rambling note that mentions postgres once among many other words: ${filler} ${filler}`),
  );
  await store.append(
    'b',
    assistant(
      'Decision: we migrate the cache to postgres. Postgres replication gives us failover; postgres it is.',
    ),
  );
  await store.append('b', user('ok, and the deploy script?'));
  const hits = await store.search({ query: 'what did we decide about postgres' });
  assert.ok(hits.length >= 2);
  assert.equal(hits[0]!.sessionId, 'b');
  assert.equal(hits[0]!.ord, 0);
  assert.match(hits[0]!.snippet, /\[[Pp]ostgres\]/);
  assert.ok(hits[0]!.score > hits[1]!.score);
});

test('stemming, phrases, and falling back to any term when no message has all of them', async (t) => {
  const store = await JournalHistoryStore.inMemory();
  t.after(() => store.close());
  await store.createSession({ id: 's', cwd: '/p' });
  await store.append('s', user('We decided to keep the journal append-only'));
  await store.append('s', user('The snapshot interval is sixteen megabytes'));
  const [stem] = await store.search({ query: 'decide journal' });
  assert.equal(stem?.ord, 0);
  assert.deepEqual(
    (await store.search({ query: '"snapshot interval"' })).map((h) => h.ord),
    [1],
  );
  assert.deepEqual((await store.search({ query: '"interval snapshot"' })).length, 0);
  const any = await store.search({ query: 'journal megabytes' });
  assert.deepEqual(any.map((h) => h.ord).sort(), [0, 1]);
  assert.deepEqual(await store.search({ query: '  ?!  ' }), []);
});

test('search filters by session, project, role and date', async (t) => {
  const store = await JournalHistoryStore.inMemory();
  t.after(() => store.close());
  const day = 86_400_000;
  await store.createSession({ id: 'one', cwd: '/alpha' });
  await store.createSession({ id: 'two', cwd: '/beta' });
  await store.append('one', user('kubernetes rollout question', 10 * day));
  await store.append('one', assistant('kubernetes rollout answer', 11 * day));
  await store.append('two', user('kubernetes in beta', 20 * day));
  await store.append('two', {
    type: 'message',
    message: { role: 'tool', toolCallId: 'x', name: 'grep', content: 'kubernetes.yaml:3' },
    at: 21 * day,
  });
  const ids = async (q: Parameters<JournalHistoryStore['search']>[0]) =>
    (await store.search(q)).map((h) => `${h.sessionId}:${h.ord}`).sort();
  assert.deepEqual(await ids({ query: 'kubernetes' }), ['one:0', 'one:1', 'two:0', 'two:1']);
  assert.deepEqual(await ids({ query: 'kubernetes', cwd: '/alpha' }), ['one:0', 'one:1']);
  assert.deepEqual(await ids({ query: 'kubernetes', sessionId: 'two' }), ['two:0', 'two:1']);
  assert.deepEqual(await ids({ query: 'kubernetes', role: 'assistant' }), ['one:1']);
  assert.deepEqual(await ids({ query: 'kubernetes', role: 'tool' }), ['two:1']);
  assert.deepEqual(await ids({ query: 'kubernetes', since: 11 * day, until: 21 * day }), ['one:1', 'two:0']);
  assert.equal((await store.search({ query: 'kubernetes', limit: 1 })).length, 1);
});

test('sessions list newest first, filtered by cwd, in pages, with titles', async (t) => {
  const store = await JournalHistoryStore.inMemory();
  t.after(() => store.close());
  for (let i = 0; i < 5; i++) {
    await store.createSession({ id: `s${i}`, cwd: i % 2 ? '/odd' : '/even', createdAt: 1000 + i });
  }
  await store.updateSession('s0', { title: 'Fix the parser' });
  await store.append('s1', user('latest activity', 5000));
  const all = await store.listSessions();
  assert.equal(all.sessions[0]!.id, 's1');
  assert.equal(all.sessions.find((s) => s.id === 's0')?.title, 'Fix the parser');
  const first = await store.listSessions({ cwd: '/even', limit: 2 });
  assert.equal(first.sessions.length, 2);
  assert.ok(first.nextCursor);
  const second = await store.listSessions({ cwd: '/even', limit: 2, cursor: first.nextCursor });
  const ids = [...first.sessions, ...second.sessions].map((s) => s.id);
  assert.equal(new Set(ids).size, 3);
  assert.ok([...first.sessions, ...second.sessions].every((s) => s.cwd === '/even'));
  assert.equal(second.nextCursor, undefined);
  await assert.rejects(store.listSessions({ cursor: 'not-a-cursor' }), /cursor/);
});

test('a deleted session is gone from listing, reading and search, also after a restart', async (t) => {
  const dir = await tempDir(t);
  const a = await openStore(dir);
  await a.createSession({ id: 'gone', cwd: '/p' });
  await a.createSession({ id: 'stays', cwd: '/p' });
  await a.append('gone', user('secret plan zebra'));
  await a.append('stays', user('public plan zebra'));
  assert.equal(await a.deleteSession('gone'), true);
  assert.equal(await a.deleteSession('never-was'), false);
  assert.equal(await a.getSession('gone'), undefined);
  assert.deepEqual(await a.readSession('gone'), []);
  assert.deepEqual(
    (await a.search({ query: 'zebra' })).map((h) => h.sessionId),
    ['stays'],
  );
  // A late record for the deleted session (another process still writing) does not revive it.
  await a.append('gone', user('late zebra'));
  assert.equal(await a.getSession('gone'), undefined);
  await a.close();
  // Its text has left the disk; every other line is where it was.
  const journalText = async () => {
    let all = '';
    for (const name of await readdir(path.join(dir, 'journal')))
      all += await readFile(path.join(dir, 'journal', name), 'utf8');
    return all;
  };
  // …and from the index files (which keep terms, never text).
  for (const name of await readdir(path.join(dir, 'index')))
    assert.ok(!(await readFile(path.join(dir, 'index', name))).includes('secret plan'), name);
  const before = await journalText();
  assert.doesNotMatch(before, /secret plan/);
  assert.match(before, /public plan zebra/);
  assert.match(before, /\{"op":"purged"\} +\n/);
  // Rebuild from the journal alone must agree.
  await rm(path.join(dir, 'index'), { recursive: true });
  const b = await openStore(dir);
  assert.deepEqual(
    (await b.listSessions()).sessions.map((s) => s.id),
    ['stays'],
  );
  assert.deepEqual(
    (await b.search({ query: 'zebra' })).map((h) => h.sessionId),
    ['stays'],
  );
  assert.equal((await b.readSession('stays')).length, 1);
  await b.close();
  assert.doesNotMatch(await journalText(), /zebra"[^\n]*"gone"|late zebra/);
});

test('a torn last line and a corrupt snapshot lose nothing that was acknowledged', async (t) => {
  const dir = await tempDir(t);
  const a = await openStore(dir);
  await a.createSession({ id: 's', cwd: '/p' });
  await a.append('s', user('acknowledged one'));
  await a.append('s', user('acknowledged two'));
  await a.close();
  const [segment] = await readdir(path.join(dir, 'journal'));
  // A crash in the middle of writing the next batch (never fsync'd, never acknowledged).
  await appendFile(path.join(dir, 'journal', segment!), '{"op":"record","sessionId":"s","rec');
  await writeFile(path.join(dir, 'index', 'catalog.sqlite'), 'not a database');
  // A snapshot write cut short by a kill leaves its temp file (pid 2^22+1: no such process).
  await writeFile(path.join(dir, 'index', '.catalog.sqlite.4194305.0a1b2c3d.tmp'), 'partial');
  // The single-file index of earlier versions is removed (the new one replaces it).
  await writeFile(path.join(dir, 'index.sqlite'), 'old index');
  const b = await openStore(dir);
  const texts = (await b.readSession('s')).map((r) => (r.type === 'message' ? r.message.content : ''));
  assert.deepEqual(texts, ['acknowledged one', 'acknowledged two']);
  assert.ok(
    !(await readdir(path.join(dir, 'index'))).includes('.catalog.sqlite.4194305.0a1b2c3d.tmp'),
    'the abandoned temp file is gone',
  );
  assert.ok(!(await readdir(dir)).includes('index.sqlite'), 'the old index is gone');
  await b.append('s', user('after the crash'));
  assert.equal((await b.readSession('s')).length, 3);
});

test('two processes sharing a home see each other’s sessions', async (t) => {
  const dir = await tempDir(t);
  const zed = await openStore(dir);
  const vscode = await openStore(dir);
  await zed.createSession({ id: 'from-zed', cwd: '/p' });
  await zed.append('from-zed', user('written in zed about tokenizers'));
  await vscode.whenSearchReady();
  await vscode.createSession({ id: 'from-code', cwd: '/p' });
  await vscode.append('from-code', user('written in vscode about tokenizers'));
  for (const store of [zed, vscode]) {
    const hits = await store.search({ query: 'tokenizers' });
    assert.deepEqual(hits.map((h) => h.sessionId).sort(), ['from-code', 'from-zed']);
  }
  assert.equal((await vscode.readSession('from-zed')).length, 1);
});

test('concurrent appends are all durable and in order of the calls', async (t) => {
  const dir = await tempDir(t);
  const store = await openStore(dir);
  await store.createSession({ id: 's', cwd: '/p' });
  await Promise.all(Array.from({ length: 200 }, (_, i) => store.append('s', user(`m${i}`))));
  // Read the journal itself: every line is complete and the order is the call order.
  const [segment] = await readdir(path.join(dir, 'journal'));
  const lines = (await readFile(path.join(dir, 'journal', segment!), 'utf8')).trimEnd().split('\n');
  assert.equal(lines.length, 201);
  assert.deepEqual(
    lines
      .slice(1)
      .map((l) => (JSON.parse(l) as { record: { message: { content: string } } }).record.message.content),
    Array.from({ length: 200 }, (_, i) => `m${i}`),
  );
  await store.close();
  await assert.rejects(store.append('s', user('too late')), /closed/);
});

test('bad input gets a clear error and records nothing', async (t) => {
  const store = await JournalHistoryStore.inMemory();
  t.after(() => store.close());
  await assert.rejects(store.createSession({ id: '', cwd: '/p' }), /non-empty id/);
  await store.createSession({ id: 's', cwd: '/p' });
  await assert.rejects(
    store.append('s', { type: 'nonsense' } as unknown as HistoryRecord),
    /Unknown history record type/,
  );
  assert.equal((await store.readSession('s')).length, 0);
});

test('the index is a snapshot plus the journal tail: a stale snapshot catches up at start', async (t) => {
  const dir = await tempDir(t);
  const a = await openStore(dir);
  await a.createSession({ id: 's', cwd: '/p' });
  await a.append('s', user('before the snapshot'));
  await a.close();
  const snapshot = path.join(dir, 'index-before');
  await cp(path.join(dir, 'index'), snapshot, { recursive: true });
  const b = await openStore(dir);
  await b.append('s', user('after the snapshot'));
  await b.close();
  // Put the older snapshot back: the second segment's lines are the tail to replay.
  await rm(path.join(dir, 'index'), { recursive: true });
  await cp(snapshot, path.join(dir, 'index'), { recursive: true });
  const c = await openStore(dir);
  assert.equal((await c.readSession('s')).length, 2);
  assert.equal((await c.search({ query: 'after' })).length, 1);
});
