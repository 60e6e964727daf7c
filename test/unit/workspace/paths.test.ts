import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { PathOutsideWorkspaceError, PathPolicy } from '../../../agent-server/workspace/paths.js';
import { tempDir } from '../../helpers/env.js';

test('paths resolve against the workspace and may not leave it', async () => {
  const root = await tempDir('paths');
  const outside = await tempDir('outside');
  await fs.mkdir(path.join(root, 'src'));
  await fs.writeFile(path.join(outside, 'secret'), 's');
  await fs.symlink(outside, path.join(root, 'escape'));
  await fs.symlink(path.join(outside, 'secret'), path.join(root, 'src', 'secret-link'));
  await fs.symlink(path.join(root, 'src'), path.join(root, 'inner-link'));
  await fs.symlink(path.join(outside, 'absent'), path.join(root, 'dangling-out'));
  const policy = new PathPolicy(root);

  assert.equal(policy.resolve('src/a.ts'), path.join(root, 'src/a.ts'));
  assert.equal(policy.resolve(path.join(root, 'new/dir/file.txt')), path.join(root, 'new/dir/file.txt'));
  assert.equal(
    policy.resolve('inner-link/x'),
    path.join(root, 'inner-link/x'),
    'symlinks that stay inside are fine',
  );
  for (const bad of [
    '../x',
    '/etc/passwd',
    'src/../../x',
    'escape/secret',
    'escape/new-file',
    'src/secret-link',
    'dangling-out',
    outside,
  ]) {
    assert.throws(() => policy.resolve(bad), PathOutsideWorkspaceError, bad);
  }
  assert.throws(() => policy.resolve(''), /path is required/);
  assert.throws(() => policy.resolve('a\0b'), /NUL/);
  assert.equal(policy.display(path.join(root, 'src/a.ts')), 'src/a.ts');

  const wider = new PathPolicy(root, [outside]);
  assert.equal(wider.resolve(path.join(outside, 'secret')), path.join(outside, 'secret'));
  assert.equal(wider.resolve('escape/secret'), path.join(root, 'escape/secret'));
});
