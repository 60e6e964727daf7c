import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rankPaths } from '../../../extension/file-match.js';

const paths = [
  'src/chat-host.ts',
  'src/webview/chat.ts',
  'README.md',
  'test/unit/chat-host.test.ts',
  'docs/hosting.md',
];

test('a file-name match ranks above a scattered one', () => {
  assert.deepEqual(rankPaths(paths, 'chathost', 2), ['src/chat-host.ts', 'test/unit/chat-host.test.ts']);
});

test('characters must appear in order', () => {
  assert.deepEqual(rankPaths(paths, 'xyz', 10), []);
  assert.ok(!rankPaths(paths, 'tsohc', 10).includes('src/chat-host.ts'));
});

test('an empty query lists shallow files first, within the limit', () => {
  assert.deepEqual(rankPaths(paths, '', 2), ['README.md', 'docs/hosting.md']);
});
