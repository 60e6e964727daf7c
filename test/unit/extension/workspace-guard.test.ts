import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { PathRefusedError, WorkspaceGuard } from '../../../extension/workspace-guard.js';
import { EditReviews, type PendingReview } from '../../../extension/edit-reviews.js';
import { tempDir, writeFiles } from '../../helpers/env.js';

async function folders() {
  const base = await tempDir('guard');
  const a = path.join(base, 'a');
  const b = path.join(base, 'b');
  await writeFiles(base, { 'a/file.txt': 'in a\n', 'b/other.txt': 'in b\n', 'home/secret': 'SECRET\n' });
  return { base, a, b, guard: new WorkspaceGuard(() => [a, b]) };
}

test('WorkspaceGuard: inside any workspace folder, links that stay inside, missing files', async () => {
  const { a, b, guard } = await folders();
  await fs.symlink(path.join(b, 'other.txt'), path.join(a, 'to-b.txt'));
  await fs.symlink('file.txt', path.join(a, 'alias.txt'));
  guard.check(path.join(a, 'file.txt'));
  guard.check(path.join(a, 'new/folder/file.txt'));
  assert.equal(await guard.readFile(path.join(a, 'to-b.txt')), 'in b\n');
  assert.equal(await guard.readFile(path.join(a, 'alias.txt')), 'in a\n');
});

test('WorkspaceGuard refuses relative paths, paths outside, and links leading out or nowhere', async () => {
  const { base, a, guard } = await folders();
  await fs.symlink(path.join(base, 'home/secret'), path.join(a, 'key'));
  await fs.symlink(path.join(base, 'home'), path.join(a, 'h'));
  await fs.symlink(path.join(base, 'home/.bash_aliases'), path.join(a, 'dangling'));
  for (const p of [
    'a/file.txt',
    path.join(base, 'home/secret'),
    path.join(a, '../home/secret'),
    path.join(a, 'key'),
    path.join(a, 'h/secret'),
    path.join(a, 'dangling'),
  ])
    assert.throws(() => guard.check(p), PathRefusedError, p);
  await assert.rejects(guard.readFile(path.join(a, 'key')), PathRefusedError);
});

test('EditReviews: a path that links out by the time the user accepts is not written, and the proposal fails', async () => {
  const { base, a, guard } = await folders();
  const applied: string[] = [];
  let shown: PendingReview | undefined;
  const reviews = new EditReviews(
    {
      snapshot: async () => ({ text: '', exists: false, dirty: false }),
      relativePath: (p) => p,
      show: async (r) => void (shown = r),
      refresh: () => undefined,
      apply: async (r) => void applied.push(r.path),
      close: () => undefined,
    },
    { opened: () => undefined, resolved: () => undefined },
    guard,
  );
  await fs.mkdir(path.join(a, 'src'));
  const outcome = reviews.propose({
    sessionId: 's',
    path: path.join(a, 'src/x.txt'),
    newText: 'new\n',
    source: 'write',
    toolCallId: null,
    autoApply: false,
  });
  while (!shown) await new Promise((r) => setImmediate(r));
  await fs.rm(path.join(a, 'src'), { recursive: true });
  await fs.symlink(path.join(base, 'home'), path.join(a, 'src'));
  await assert.rejects(reviews.accept(shown.reviewId), PathRefusedError);
  await assert.rejects(outcome, PathRefusedError);
  assert.deepEqual(applied, []);
  assert.equal(reviews.size, 0);
  await assert.rejects(
    reviews.propose({
      sessionId: 's',
      path: path.join(a, 'src/y.txt'),
      newText: 'x',
      source: 'write',
      toolCallId: null,
      autoApply: true,
    }),
    PathRefusedError,
  );
  assert.deepEqual(applied, []);
});
