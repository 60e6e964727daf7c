import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { AnchoredFiles, procFdWorks } from '../../../agent-server/workspace/anchored-files.js';
import {
  LinkLeadsOutsideError,
  LinkLoopError,
  resolveInsideRoots,
} from '../../../agent-server/workspace/link-resolve.js';
import { tempDir, writeFiles } from '../../helpers/env.js';

/** A workspace with inside links, links out (to a file, a folder, a missing file) and a loop. */
async function fixture() {
  const root = await tempDir('anchored');
  const outside = await tempDir('anchored-out');
  await writeFiles(root, { 'src/a.txt': 'A\n', 'src/deep/b.txt': 'B\n' });
  await writeFiles(outside, { 'secret.txt': 'SECRET\n', 'sub/key': 'KEY\n' });
  const link = (target: string, at: string) => fs.symlink(target, path.join(root, at));
  await link('src', 'src-link'); // folder inside
  await link('src/a.txt', 'a-link'); // file inside
  await link('a-link', 'link-to-link'); // chain inside
  await link('src/new.txt', 'dangling-in'); // missing target inside
  await link('../src/deep', 'src/up-and-down'); // `..` in the target, still inside
  await link(outside, 'out-dir');
  await link(path.join(outside, 'secret.txt'), 'out-file');
  await link(path.join(outside, 'absent.txt'), 'dangling-out');
  await link('out-dir', 'link-to-out');
  await link('loop-b', 'loop-a');
  await link('loop-a', 'loop-b');
  return { root, outside, files: (procFd: boolean) => new AnchoredFiles([root], [root], procFd) };
}

test('resolveInsideRoots follows links that stay inside and refuses links out, dangling ones too', async () => {
  const { root, outside } = await fixture();
  const r = (p: string) => resolveInsideRoots([root], path.join(root, p));
  assert.equal(r('src-link/a.txt'), path.join(root, 'src/a.txt'));
  assert.equal(r('link-to-link'), path.join(root, 'src/a.txt'));
  assert.equal(r('dangling-in'), path.join(root, 'src/new.txt'));
  assert.equal(r('src/up-and-down/b.txt'), path.join(root, 'src/deep/b.txt'));
  assert.equal(r('src/missing/x/../y'), path.join(root, 'src/missing/y'));
  for (const bad of [
    'out-dir/secret.txt',
    'out-file',
    'dangling-out',
    'link-to-out/sub/key',
    'out-dir/new',
  ]) {
    assert.throws(() => r(bad), LinkLeadsOutsideError, bad);
  }
  assert.throws(() => r('loop-a'), LinkLoopError);
  // A root reached through a symlink of its own (a symlinked home) is fine: links outside the roots are followed.
  const alias = path.join(outside, 'alias');
  await fs.symlink(root, alias);
  assert.equal(resolveInsideRoots([root], path.join(alias, 'src/a.txt')), path.join(root, 'src/a.txt'));
});

for (const procFd of [true, false]) {
  const how = procFd ? 'through /proc/self/fd' : 'with the check-then-compare fallback';
  const skip = procFd && !procFdWorks() ? 'no /proc on this system' : false;

  test(`AnchoredFiles reads inside and refuses to read through links out (${how})`, { skip }, async () => {
    const { root, files } = await fixture();
    const f = files(procFd);
    const at = (p: string) => path.join(root, p);
    assert.equal(await f.readText(at('src/a.txt')), 'A\n');
    assert.equal(await f.readText(at('src-link/deep/b.txt')), 'B\n');
    assert.equal(await f.readText(at('link-to-link')), 'A\n');
    assert.equal(await f.readText(at('src/missing.txt')), undefined);
    assert.equal(await f.readText(at('src/a.txt/below')), undefined);
    assert.equal(await f.readText(at('dangling-in')), undefined);
    await assert.rejects(f.readText(at('src')), /folder/);
    for (const bad of ['out-file', 'out-dir/secret.txt', 'link-to-out/sub/key', 'dangling-out']) {
      await assert.rejects(f.readText(at(bad)), LinkLeadsOutsideError, bad);
    }
    await assert.rejects(f.readText(at('loop-a')), LinkLoopError);

    assert.deepEqual(await f.inspect(at('src'), 10), { kind: 'directory' });
    assert.deepEqual(await f.inspect(at('nope'), 10), { kind: 'missing' });
    const info = await f.inspect(at('src/a.txt'), 1);
    assert.equal(info.kind === 'file' && `${info.size}:${info.head.toString()}`, '2:A');
  });

  test(`AnchoredFiles writes atomically inside and never through a link out (${how})`, { skip }, async () => {
    const { root, outside, files } = await fixture();
    const f = files(procFd);
    const at = (p: string) => path.join(root, p);

    await f.writeFile(at('new/deeper/c.txt'), 'C');
    assert.equal(await fs.readFile(at('new/deeper/c.txt'), 'utf8'), 'C');
    await fs.chmod(at('src/a.txt'), 0o750);
    await f.writeFile(at('src/a.txt'), 'A2');
    assert.equal((await fs.stat(at('src/a.txt'))).mode & 0o777, 0o750, 'the mode of a replaced file is kept');
    assert.deepEqual(await fs.readdir(at('src')), ['a.txt', 'deep', 'up-and-down'], 'no temp file is left');

    // A final symlink that stays inside: the target is written, the link stays a link.
    await f.writeFile(at('link-to-link'), 'A3');
    assert.equal(await fs.readFile(at('src/a.txt'), 'utf8'), 'A3');
    assert.ok((await fs.lstat(at('link-to-link'))).isSymbolicLink());
    await f.writeFile(at('dangling-in'), 'N');
    assert.equal(await fs.readFile(at('src/new.txt'), 'utf8'), 'N');

    for (const bad of [
      'dangling-out',
      'out-file',
      'out-dir/planted',
      'link-to-out/sub/key',
      'out-dir/new/x',
    ]) {
      await assert.rejects(f.writeFile(at(bad), 'PWNED'), LinkLeadsOutsideError, bad);
    }
    await assert.rejects(f.writeFile(at('src'), 'x'), /folder/);
    assert.deepEqual((await fs.readdir(outside)).sort(), ['secret.txt', 'sub'], 'nothing planted outside');
    assert.equal(await fs.readFile(path.join(outside, 'secret.txt'), 'utf8'), 'SECRET\n');
  });
}

test('isLinkFree: only paths with no symlink from the root down, whatever spelling of the root', async () => {
  const { root, outside } = await fixture();
  const alias = path.join(outside, 'alias');
  await fs.symlink(root, alias);
  const f = new AnchoredFiles([alias], [root]);
  assert.equal(f.isLinkFree(path.join(root, 'src/a.txt')), true);
  assert.equal(f.isLinkFree(path.join(alias, 'src/a.txt')), true);
  assert.equal(f.isLinkFree(path.join(alias, 'src/not-yet/new.txt')), true);
  for (const linked of ['src-link/a.txt', 'a-link', 'dangling-in', 'dangling-out', 'out-file', 'loop-a']) {
    assert.equal(f.isLinkFree(path.join(alias, linked)), false, linked);
  }
  assert.equal(f.isLinkFree(path.join(outside, 'secret.txt')), false);
});
