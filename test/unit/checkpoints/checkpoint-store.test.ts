import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { applyRestore, planRestore } from '../../../agent-server/checkpoints/index.js';
import { tempDir, writeFiles } from '../../helpers/env.js';
import { fingerprint, openStore, userGit, workspaceFiles } from './helpers.js';

async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const home = await tempDir('cp-home');
  const ws = await tempDir('cp-ws');
  t.after(async () => {
    await rm(home, { recursive: true, force: true });
    await rm(ws, { recursive: true, force: true });
  });
  return { home, ws };
}

test('a turn that edits, creates, deletes and chmods is undone; the user .git stays byte-identical', async (t) => {
  const { home, ws } = await setup(t);
  await writeFiles(ws, {
    'a.txt': 'one\n',
    'c.txt': 'see\n',
    'src/x.js': 'x\n',
    '.gitignore': 'secret.log\n',
  });
  userGit(ws, 'init', '-q');
  userGit(ws, 'add', '-A');
  userGit(ws, 'commit', '-qm', 'first');
  await writeFile(path.join(ws, 'a.txt'), 'one, staged\n');
  userGit(ws, 'add', 'a.txt');
  userGit(ws, 'config', 'core.fsmonitor', `touch ${path.join(home, 'fsmonitor-ran')}`);
  await writeFile(
    path.join(ws, '.git/hooks/pre-commit'),
    `#!/bin/sh\ntouch ${path.join(home, 'hook-ran')}\n`,
  );
  await chmod(path.join(ws, '.git/hooks/pre-commit'), 0o755);
  const userGitBefore = await fingerprint(path.join(ws, '.git'));
  const objectsBefore = userGit(ws, 'count-objects', '-v');
  const start = await workspaceFiles(ws);

  const store = await openStore(home, ws);
  const cp = await store.create({ kind: 'turn', label: 'fix it\nmore', sessionId: 's1' });
  assert.equal(cp.label, 'fix it');
  await writeFile(path.join(ws, 'a.txt'), 'two\n');
  await writeFiles(ws, { 'b.txt': 'bee\n', 'new/deep/n.txt': 'n\n', 'secret.log': 'ignored\n' });
  await unlink(path.join(ws, 'c.txt'));
  await chmod(path.join(ws, 'src/x.js'), 0o755);
  const done = await store.finish(cp.id);
  assert.deepEqual(done?.stats, { files: 5, added: 3, removed: 2 });

  const [listed] = await store.list();
  assert.equal(listed?.id, cp.id);
  const plan = await planRestore(store, listed!);
  assert.deepEqual(plan.handEdited, []);
  const result = await applyRestore(store, plan);
  assert.deepEqual(result.failed, []);
  assert.deepEqual(result.files.map((f) => `${f.action} ${f.path}`).sort(), [
    'removed b.txt',
    'removed new/deep/n.txt',
    'written a.txt',
    'written c.txt',
    'written src/x.js',
  ]);
  assert.deepEqual(
    result.files.find((f) => f.path === 'a.txt'),
    {
      path: 'a.txt',
      action: 'written',
      before: 'two\n',
      after: 'one, staged\n',
    },
  );
  // The ignored file is not the checkpoint's business: left as it is.
  assert.deepEqual(await workspaceFiles(ws), { ...start, 'secret.log': 'ignored\n' });
  assert.equal(((await stat(path.join(ws, 'src/x.js'))).mode & 0o777).toString(8), '644');
  await assert.rejects(stat(path.join(ws, 'new')), /ENOENT/);

  assert.deepEqual(await fingerprint(path.join(ws, '.git')), userGitBefore);
  assert.equal(userGit(ws, 'count-objects', '-v'), objectsBefore);
  await assert.rejects(stat(path.join(home, 'fsmonitor-ran')), /ENOENT/);
  await assert.rejects(stat(path.join(home, 'hook-ran')), /ENOENT/);
});

test('a restore is itself a checkpoint: restoring it brings back the files before the restore', async (t) => {
  const { home, ws } = await setup(t);
  await writeFiles(ws, { 'a.txt': 'v1\n', 'c.txt': 'c\n' });
  const store = await openStore(home, ws);
  const first = await store.create({ kind: 'turn', label: 'turn 1' });
  await writeFiles(ws, { 'a.txt': 'v2\n', 'b.txt': 'b\n' });
  await unlink(path.join(ws, 'c.txt'));
  await store.finish(first.id);
  const second = await store.create({ kind: 'turn', label: 'turn 2' });
  await writeFiles(ws, { 'a.txt': 'v3\n' });
  await store.finish(second.id);
  const afterTurns = await workspaceFiles(ws);

  assert.deepEqual(
    (await store.list()).map((c) => c.label),
    ['turn 2', 'turn 1'],
  );
  const rewind = await applyRestore(store, await planRestore(store, (await store.find('2'))!));
  assert.deepEqual(await workspaceFiles(ws), { 'a.txt': 'v1\n', 'c.txt': 'c\n' });
  const newest = (await store.list())[0]!;
  assert.equal(newest.kind, 'restore');
  assert.equal(newest.id, rewind.undo?.id);
  assert.equal(newest.restoredTo, first.id);

  await applyRestore(store, await planRestore(store, newest));
  assert.deepEqual(await workspaceFiles(ws), afterTurns);
});

test('a hand edit after the checkpoint is reported and kept when the caller says so', async (t) => {
  const { home, ws } = await setup(t);
  await writeFiles(ws, { 'a.txt': 'agent before\n', 'h.txt': 'hand before\n' });
  const store = await openStore(home, ws);
  const cp = await store.create({ kind: 'turn', label: 'edit' });
  await writeFiles(ws, { 'a.txt': 'agent after\n', 'h.txt': 'agent touched\n' });
  await store.finish(cp.id);
  await writeFile(path.join(ws, 'h.txt'), 'typed by hand\n');

  const plan = await planRestore(store, cp);
  assert.deepEqual(plan.handEdited, ['h.txt']);
  const kept = await applyRestore(store, plan, { keep: plan.handEdited });
  assert.deepEqual(kept.kept, ['h.txt']);
  assert.equal(await readFile(path.join(ws, 'h.txt'), 'utf8'), 'typed by hand\n');
  assert.equal(await readFile(path.join(ws, 'a.txt'), 'utf8'), 'agent before\n');
});

test('a file changed between planning and applying is left alone', async (t) => {
  const { home, ws } = await setup(t);
  await writeFiles(ws, { 'a.txt': '1\n' });
  const store = await openStore(home, ws);
  const cp = await store.create({ kind: 'turn', label: 'x' });
  await writeFiles(ws, { 'a.txt': '2\n' });
  await store.finish(cp.id);
  const plan = await planRestore(store, cp);
  await writeFiles(ws, { 'a.txt': 'typed while asked\n' });
  const result = await applyRestore(store, plan);
  assert.deepEqual(result.kept, ['a.txt']);
  assert.equal(await readFile(path.join(ws, 'a.txt'), 'utf8'), 'typed while asked\n');
});

test('a turn that changed nothing leaves no checkpoint', async (t) => {
  const { home, ws } = await setup(t);
  await writeFiles(ws, { 'a.txt': '1\n' });
  const store = await openStore(home, ws);
  const cp = await store.create({ kind: 'turn', label: 'read only after all' });
  assert.equal(await store.finish(cp.id), undefined);
  assert.deepEqual(await store.list(), []);
});

test('ignored folders, Cairn defaults and large files are left out; a large file is never removed', async (t) => {
  const { home, ws } = await setup(t);
  await writeFiles(ws, { 'a.txt': '1\n', 'node_modules/dep/index.js': 'dep\n', 'dist/out.js': 'built\n' });
  await writeFile(path.join(ws, 'big.bin'), Buffer.alloc(2048, 1));
  const store = await openStore(home, ws, { maxFileBytes: 1024, exclude: ['*.tmp'] });
  await writeFiles(ws, { 'x.tmp': 'scratch\n' });
  const cp = await store.create({ kind: 'turn', label: 'x' });
  assert.deepEqual(cp.skipped, [{ path: 'big.bin', bytes: 2048 }]);
  const tree = await store.git.text(['ls-tree', '-r', '--name-only', cp.tree]);
  assert.deepEqual(tree.trim().split('\n'), ['a.txt']);
  await writeFiles(ws, { 'a.txt': '2\n', 'node_modules/dep/index.js': 'dep 2\n' });
  await writeFile(path.join(ws, 'big.bin'), Buffer.alloc(4096, 2));
  await store.finish(cp.id);
  const plan = await planRestore(store, cp);
  assert.deepEqual(plan.tooLarge, ['big.bin']);
  await applyRestore(store, plan);
  assert.equal((await stat(path.join(ws, 'big.bin'))).size, 4096);
  assert.equal(await readFile(path.join(ws, 'node_modules/dep/index.js'), 'utf8'), 'dep 2\n');
  assert.equal(await readFile(path.join(ws, 'a.txt'), 'utf8'), '1\n');
});

test('a nested repository is recorded as plain files, its .git never', async (t) => {
  const { home, ws } = await setup(t);
  await writeFiles(ws, { 'top.txt': 't\n', 'vendor/lib/lib.c': 'int x;\n' });
  userGit(path.join(ws, 'vendor/lib'), 'init', '-q');
  const nestedGit = await fingerprint(path.join(ws, 'vendor/lib/.git'));
  const store = await openStore(home, ws);
  const cp = await store.create({ kind: 'turn', label: 'x' });
  const tree = await store.git.text(['ls-tree', '-r', cp.tree]);
  assert.match(tree, /^100644 blob \w+\tvendor\/lib\/lib\.c$/m);
  assert.doesNotMatch(tree, /commit|\.git\//);
  await writeFiles(ws, { 'vendor/lib/lib.c': 'int y;\n', 'vendor/lib/new.c': 'new\n' });
  await store.finish(cp.id);
  await applyRestore(store, await planRestore(store, cp));
  assert.equal(await readFile(path.join(ws, 'vendor/lib/lib.c'), 'utf8'), 'int x;\n');
  await assert.rejects(stat(path.join(ws, 'vendor/lib/new.c')), /ENOENT/);
  assert.deepEqual(await fingerprint(path.join(ws, 'vendor/lib/.git')), nestedGit);
});

test('a restore never writes through a symlink that leads out of the workspace', async (t) => {
  const { home, ws } = await setup(t);
  const outside = await tempDir('cp-outside');
  t.after(() => rm(outside, { recursive: true, force: true }));
  await writeFiles(ws, { 'conf/settings.txt': 'mine\n', 'link-me.txt': 'plain\n' });
  await writeFiles(outside, { 'settings.txt': 'outside\n', 'target.txt': 'outside target\n' });
  const store = await openStore(home, ws);
  const cp = await store.create({ kind: 'turn', label: 'x' });
  // The turn swaps the folder for a link out, and a file for a link to a file outside.
  await rm(path.join(ws, 'conf'), { recursive: true });
  await symlink(outside, path.join(ws, 'conf'));
  await unlink(path.join(ws, 'link-me.txt'));
  await symlink(path.join(outside, 'target.txt'), path.join(ws, 'link-me.txt'));
  await store.finish(cp.id);
  const result = await applyRestore(store, await planRestore(store, cp));
  assert.deepEqual(result.failed, []);
  assert.equal(await readFile(path.join(outside, 'settings.txt'), 'utf8'), 'outside\n');
  assert.equal(await readFile(path.join(outside, 'target.txt'), 'utf8'), 'outside target\n');
  assert.equal(await readFile(path.join(ws, 'conf/settings.txt'), 'utf8'), 'mine\n');
  assert.equal((await stat(path.join(ws, 'conf'))).isDirectory(), true);
  assert.equal(await readFile(path.join(ws, 'link-me.txt'), 'utf8'), 'plain\n');
});

test('restored bytes are exact whatever the workspace .gitattributes say', async (t) => {
  const { home, ws } = await setup(t);
  await writeFiles(ws, {
    '.gitattributes': '* text eol=crlf\n',
    'unix.txt': 'a\nb\n',
    'dos.txt': 'a\r\nb\r\n',
  });
  const store = await openStore(home, ws);
  const cp = await store.create({ kind: 'turn', label: 'x' });
  await writeFiles(ws, { 'unix.txt': 'changed\n', 'dos.txt': 'changed\n' });
  await store.finish(cp.id);
  await applyRestore(store, await planRestore(store, cp));
  assert.equal(await readFile(path.join(ws, 'unix.txt'), 'utf8'), 'a\nb\n');
  assert.equal(await readFile(path.join(ws, 'dos.txt'), 'utf8'), 'a\r\nb\r\n');
});

test('a file replaced by a folder, and a folder by a file, come back', async (t) => {
  const { home, ws } = await setup(t);
  await writeFiles(ws, { thing: 'file\n', 'dir/inner.txt': 'inner\n' });
  const store = await openStore(home, ws);
  const cp = await store.create({ kind: 'turn', label: 'x' });
  await unlink(path.join(ws, 'thing'));
  await writeFiles(ws, { 'thing/child.txt': 'child\n' });
  await rm(path.join(ws, 'dir'), { recursive: true });
  await writeFile(path.join(ws, 'dir'), 'now a file\n');
  await store.finish(cp.id);
  await applyRestore(store, await planRestore(store, cp));
  assert.deepEqual(await workspaceFiles(ws), { thing: 'file\n', 'dir/inner.txt': 'inner\n' });
});

test('a workspace inside a mkdir-only folder with no repository works the same', async (t) => {
  const { home, ws } = await setup(t);
  await mkdir(path.join(ws, 'empty-dir'));
  const store = await openStore(home, ws);
  const cp = await store.create({ kind: 'turn', label: 'x' });
  await writeFiles(ws, { 'fresh.txt': 'f\n' });
  await store.finish(cp.id);
  await applyRestore(store, await planRestore(store, cp));
  assert.deepEqual(await workspaceFiles(ws), {});
});
