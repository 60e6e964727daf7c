import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { AnchoredFiles } from '../../../agent-server/workspace/anchored-files.js';
import { removeAnchored } from '../../../agent-server/workspace/anchored-remove.js';
import { tempDir, writeFiles } from '../../helpers/env.js';

async function setup() {
  const base = await tempDir('anchored-rm');
  const root = path.join(base, 'repo');
  const outside = path.join(base, 'home');
  await writeFiles(outside, { 'keep.txt': 'keep\n', 'sub/keep.txt': 'keep\n' });
  await writeFiles(root, { 'tree/a.txt': 'a', 'tree/deep/b.txt': 'b', 'tree/deep/deeper/c.txt': 'c' });
  return { root, outside, files: new AnchoredFiles([root], [root]) };
}

test('removeAnchored removes a folder tree, a file, and is quiet when it is already gone', async () => {
  const { root, files } = await setup();
  await fs.writeFile(path.join(root, 'single.txt'), 'x');
  await removeAnchored(files, path.join(root, 'single.txt'));
  await removeAnchored(files, path.join(root, 'tree'));
  await removeAnchored(files, path.join(root, 'tree'));
  assert.deepEqual(await fs.readdir(root), []);
});

test('a link inside the tree is removed itself, never what it points to', async () => {
  const { root, outside, files } = await setup();
  await fs.symlink(outside, path.join(root, 'tree/deep/home'));
  await fs.symlink(path.join(outside, 'keep.txt'), path.join(root, 'tree/key'));
  await removeAnchored(files, path.join(root, 'tree'));
  await assert.rejects(fs.lstat(path.join(root, 'tree')));
  assert.equal(await fs.readFile(path.join(outside, 'keep.txt'), 'utf8'), 'keep\n');
  assert.equal(await fs.readFile(path.join(outside, 'sub/keep.txt'), 'utf8'), 'keep\n');
});

test('a final component that is a link is unlinked; a parent that links out is refused', async () => {
  const { root, outside, files } = await setup();
  await fs.symlink(path.join(outside, 'sub'), path.join(root, 'linked'));
  await removeAnchored(files, path.join(root, 'linked'));
  await assert.rejects(fs.lstat(path.join(root, 'linked')));
  await fs.symlink(outside, path.join(root, 'out'));
  await assert.rejects(removeAnchored(files, path.join(root, 'out/sub')), /outside the workspace/);
  await assert.rejects(removeAnchored(files, path.join(root, 'out/keep.txt')), /outside the workspace/);
  assert.equal(await fs.readFile(path.join(outside, 'sub/keep.txt'), 'utf8'), 'keep\n');
  assert.equal(await fs.readFile(path.join(outside, 'keep.txt'), 'utf8'), 'keep\n');
});

test('a parent link that stays inside is followed', async () => {
  const { root, files } = await setup();
  await fs.symlink('tree', path.join(root, 'alias'));
  await removeAnchored(files, path.join(root, 'alias/deep'));
  await assert.rejects(fs.lstat(path.join(root, 'tree/deep')));
  assert.equal(await fs.readFile(path.join(root, 'tree/a.txt'), 'utf8'), 'a');
});
