import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { type ShadowGit } from '../../../agent-server/checkpoints/shadow-git.js';
import { RefExistsError, writeCommit, writeRef } from '../../../agent-server/checkpoints/shadow-objects.js';
import { diffTreePairs, pairKey } from '../../../agent-server/checkpoints/tree-diff.js';
import { tempDir, writeFiles } from '../../helpers/env.js';
import { applyRestore, planRestore } from '../../../agent-server/checkpoints/index.js';
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

async function treeOf(git: ShadowGit, files: Record<string, string>): Promise<string> {
  await writeFiles(git.workTree, files);
  await git.run(['add', '-A']);
  return (await git.text(['write-tree'])).trim();
}

test('a commit written directly is the very object git commit-tree makes, and git reads it', async (t) => {
  const { home, ws } = await setup(t);
  const store = await openStore(home, ws);
  const tree = await treeOf(store.git, { 'a.txt': 'a\n' });
  const when = new Date('2025-03-04T05:06:07.890Z');
  const message = JSON.stringify({ v: 1, label: 'ünïcode "quoted"' });
  const ours = await writeCommit(store.git.gitDir, tree, message, when);
  const theirs = execFileSync('git', ['commit-tree', tree, '-F', '-'], {
    input: message + '\n',
    env: {
      PATH: process.env.PATH,
      GIT_DIR: store.git.gitDir,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'Cairn',
      GIT_AUTHOR_EMAIL: 'checkpoints@cairn.invalid',
      GIT_COMMITTER_NAME: 'Cairn',
      GIT_COMMITTER_EMAIL: 'checkpoints@cairn.invalid',
      GIT_AUTHOR_DATE: '1741064767 +0000',
      GIT_COMMITTER_DATE: '1741064767 +0000',
    },
    encoding: 'utf8',
  }).trim();
  assert.equal(ours, theirs);
  await writeRef(store.git.gitDir, 'refs/cairn/before/x-1', ours, { create: true });
  assert.equal((await store.git.text(['rev-parse', 'refs/cairn/before/x-1^{tree}'])).trim(), tree);
  await store.git.run(['fsck', '--strict', '--no-dangling']);
});

test('a checkpoint ref is never overwritten, loose or packed by gc', async (t) => {
  const { home, ws } = await setup(t);
  const store = await openStore(home, ws);
  const tree = await treeOf(store.git, { 'a.txt': 'a\n' });
  const one = await writeCommit(store.git.gitDir, tree, 'one', new Date());
  const two = await writeCommit(store.git.gitDir, tree, 'two', new Date());
  await writeRef(store.git.gitDir, 'refs/cairn/before/x-1', one, { create: true });
  await assert.rejects(
    writeRef(store.git.gitDir, 'refs/cairn/before/x-1', two, { create: true }),
    RefExistsError,
  );
  await store.git.run(['pack-refs', '--all', '--prune']);
  await assert.rejects(
    writeRef(store.git.gitDir, 'refs/cairn/before/x-1', two, { create: true }),
    RefExistsError,
  );
  // Without `create` it moves (an "after" recorded again), over the packed value too.
  await writeRef(store.git.gitDir, 'refs/cairn/before/x-1', two);
  assert.equal((await store.git.text(['rev-parse', 'refs/cairn/before/x-1'])).trim(), two);
  await assert.rejects(writeRef(store.git.gitDir, 'refs/heads/main', two), /not a checkpoint ref/);
});

test('many tree pairs diff in one git run, odd file names and binary files included', async (t) => {
  const { home, ws } = await setup(t);
  const store = await openStore(home, ws);
  const a = await treeOf(store.git, { 'plain.txt': '1\n2\n', 'gone.txt': 'x\n' });
  await rm(path.join(ws, 'gone.txt'));
  await writeFile(path.join(ws, 'bin.dat'), Buffer.from([0, 1, 2, 0]));
  const b = await treeOf(store.git, {
    'plain.txt': '1\nchanged\nmore\n',
    'new\nline\ttab.txt': 'n\n',
    'ab1234 cd5678\nx': 'header-like name\n',
  });
  const diffs = await diffTreePairs(
    store.git,
    [
      [a, b],
      [b, a],
      [a, a],
    ],
    { numstat: true },
  );
  assert.equal(diffs.has(pairKey(a, a)), false);
  const forward = diffs.get(pairKey(a, b))!;
  assert.deepEqual(forward.changes.map((c) => c.path).sort(), [
    'ab1234 cd5678\nx',
    'bin.dat',
    'gone.txt',
    'new\nline\ttab.txt',
    'plain.txt',
  ]);
  assert.deepEqual(forward.lines.get('plain.txt'), { added: 2, removed: 1 });
  assert.deepEqual(forward.lines.get('bin.dat'), {});
  assert.deepEqual(forward.lines.get('new\nline\ttab.txt'), { added: 1, removed: 0 });
  const gone = forward.changes.find((c) => c.path === 'gone.txt')!;
  assert.ok(gone.fromBlob && !gone.toBlob);
  const back = diffs.get(pairKey(b, a))!;
  assert.equal(back.changes.find((c) => c.path === 'gone.txt')?.toMode, '100644');
});

test('a shadow repository in a format Cairn does not write is refused with what to do', async (t) => {
  const { home, ws } = await setup(t);
  const store = await openStore(home, ws);
  const config = path.join(store.git.gitDir, 'config');
  const v1 = (await readFile(config, 'utf8')).replace(
    'repositoryformatversion = 0',
    'repositoryformatversion = 1',
  );
  await writeFile(config, v1 + '[extensions]\n\tobjectformat = sha256\n');
  await assert.rejects(openStore(home, ws), /uses objectformat sha256.*remove that folder/);
});

test('checkpoints are written as loose objects and refs: no git process per commit or ref', async (t) => {
  const { home, ws } = await setup(t);
  await writeFiles(ws, { 'a.txt': '1\n' });
  const store = await openStore(home, ws);
  const ran: string[] = [];
  const run = store.git.run.bind(store.git);
  store.git.run = (args, opts) => {
    ran.push(args[0]!);
    return run(args, opts);
  };
  await store.create({ kind: 'turn', label: 'first' });
  assert.deepEqual(ran, ['ls-files', 'update-index', 'write-tree']);
  ran.length = 0;
  await store.create({ kind: 'turn', label: 'nothing changed' });
  assert.deepEqual(ran, ['ls-files'], 'the tree of an unchanged index is known');
});

test('a restore runs a handful of git processes however many files it puts back', async (t) => {
  const { home, ws } = await setup(t);
  const files = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`d${i % 4}/f${i}.txt`, `${i}\n`]));
  await writeFiles(ws, files);
  const store = await openStore(home, ws);
  const cp = await store.create({ kind: 'turn', label: 'touch 20' });
  await writeFiles(ws, Object.fromEntries(Object.keys(files).map((f) => [f, 'changed\n'])));
  await store.finish(cp.id);
  const ran: string[] = [];
  const run = store.git.run.bind(store.git);
  store.git.run = (args, opts) => {
    ran.push(args[0]!);
    return run(args, opts);
  };
  const result = await applyRestore(store, await planRestore(store, cp));
  assert.equal(result.files.length, 20);
  // Plan: the refs, the workspace (its tree known from the turn's end), all diffs at once.
  // Apply: the contents, then the restored paths recorded.
  assert.deepEqual(ran.sort(), [
    'cat-file',
    'diff-tree',
    'for-each-ref',
    'ls-files',
    'update-index',
    'write-tree',
  ]);
  assert.deepEqual(await workspaceFiles(ws), files);
});
