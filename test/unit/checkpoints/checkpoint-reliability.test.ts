import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { applyRestore, GitUnavailableError, planRestore } from '../../../agent-server/checkpoints/index.js';
import { tempDir, writeFiles } from '../../helpers/env.js';
import { openStore, workspaceFiles } from './helpers.js';

async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const home = await tempDir('cp-home');
  const ws = await tempDir('cp-ws');
  t.after(async () => {
    await rm(home, { recursive: true, force: true });
    await rm(ws, { recursive: true, force: true });
  });
  return { home, ws };
}

test('two stores on one workspace (two sessions or processes) checkpoint at once without losing one', async (t) => {
  const { home, ws } = await setup(t);
  await writeFiles(ws, { 'a.txt': '1\n' });
  const [one, two] = await Promise.all([openStore(home, ws), openStore(home, ws)]);
  const made = await Promise.all(
    Array.from({ length: 6 }, (_, i) => (i % 2 ? one! : two!).create({ kind: 'turn', label: `turn ${i}` })),
  );
  const listed = await one!.list();
  assert.deepEqual(listed.map((c) => c.id).sort(), made.map((c) => c.id).sort());
});

test('after a crash mid-checkpoint, git lock files and an unreadable index are repaired on open', async (t) => {
  const { home, ws } = await setup(t);
  await writeFiles(ws, { 'a.txt': '1\n' });
  const first = await openStore(home, ws);
  const cp = await first.create({ kind: 'turn', label: 'before the crash' });
  await writeFile(path.join(first.git.gitDir, 'index.lock'), '');
  await writeFile(path.join(first.git.gitDir, 'index'), 'torn');

  const reopened = await openStore(home, ws);
  assert.match(reopened.notices.join('\n'), /removed index\.lock/);
  await writeFiles(ws, { 'a.txt': '2\n' });
  assert.ok(await reopened.finish(cp.id));
  assert.match(reopened.notices.join('\n'), /index was unreadable and was rebuilt/);
  await applyRestore(reopened, await planRestore(reopened, cp));
  assert.deepEqual(await workspaceFiles(ws), { 'a.txt': '1\n' });
});

test('an interrupted restore is reported at the next start, with the checkpoint that undoes it', async (t) => {
  const { home, ws } = await setup(t);
  await writeFiles(ws, { 'a.txt': '1\n' });
  const store = await openStore(home, ws);
  await store.markRestoreStarted('20250101-000000-abcd', '20250101-000001-beef');
  const reopened = await openStore(home, ws);
  assert.match(reopened.notices.join('\n'), /restore to checkpoint 20250101-000000-abcd was interrupted/);
  assert.match(reopened.notices.join('\n'), /20250101-000001-beef holds the files as they were before it/);
  assert.deepEqual((await openStore(home, ws)).notices, []);
});

test('gc removes checkpoints past keepDays (the newest stays) and shrinks to keepBytes', async (t) => {
  const { home, ws } = await setup(t);
  await writeFiles(ws, { 'a.txt': '1\n' });
  const store = await openStore(home, ws, { keepDays: 1 });
  for (let i = 0; i < 3; i++) {
    const cp = await store.create({ kind: 'turn', label: `t${i}` });
    await writeFiles(ws, { 'a.txt': `${i + 2}\n`, [`f${i}.bin`]: 'x'.repeat(20_000) + i });
    await store.finish(cp.id);
  }
  const later = new Date(Date.now() + 3 * 24 * 60 * 60 * 1000);
  const aged = await store.gc(later);
  assert.equal(aged.removed, 2);
  assert.deepEqual(
    (await store.list()).map((c) => c.label),
    ['t2'],
  );
  assert.equal(await store.gcDue(later), false, 'done less than a day ago');
  assert.equal(await store.gcDue(new Date(later.getTime() + 2 * 24 * 60 * 60 * 1000)), true);

  const small = await openStore(home, ws, { keepBytes: 1 });
  const cp = await small.create({ kind: 'turn', label: 'newest' });
  await writeFiles(ws, { 'a.txt': 'last\n' });
  await small.finish(cp.id);
  const shrunk = await small.gc();
  assert.equal(shrunk.kept, 1);
  assert.deepEqual(
    (await small.list()).map((c) => c.label),
    ['newest'],
  );
});

test('without git, opening says checkpoints are off and how to fix it', async (t) => {
  const { home, ws } = await setup(t);
  const saved = process.env.PATH;
  process.env.PATH = path.join(ws, 'no-bin');
  t.after(() => {
    process.env.PATH = saved;
  });
  await assert.rejects(openStore(home, ws), (err: unknown) => {
    assert.ok(err instanceof GitUnavailableError);
    assert.match(err.message, /Checkpoints are off.*Install git/s);
    return true;
  });
});

test('a workspace file named like git internals is content, and the shadow repository is not in the workspace', async (t) => {
  const { home, ws } = await setup(t);
  await writeFiles(ws, { HEAD: 'not a ref\n', 'refs/heads/x': 'file\n', index: 'data\n' });
  const store = await openStore(home, ws);
  const cp = await store.create({ kind: 'turn', label: 'x' });
  await writeFiles(ws, { HEAD: 'changed\n' });
  await store.finish(cp.id);
  await applyRestore(store, await planRestore(store, cp));
  assert.equal(await readFile(path.join(ws, 'HEAD'), 'utf8'), 'not a ref\n');
  assert.ok(!store.git.gitDir.startsWith(ws));
  assert.deepEqual(Object.keys(await workspaceFiles(ws)).sort(), ['HEAD', 'index', 'refs/heads/x']);
});
