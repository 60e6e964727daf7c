import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileUri, promptBlocks } from '../../../extension/prompt-content.js';

const selection = {
  kind: 'selection' as const,
  path: '/w/src/a b.ts',
  relPath: 'src/a b.ts',
  startLine: 3,
  endLine: 4,
  text: 'const x = "```";',
  languageId: 'typescript',
};

test('file URIs are encoded and carry the selected lines', () => {
  assert.equal(fileUri('/w/src/a b.ts', { start: 3, end: 4 }), 'file:///w/src/a%20b.ts#L3-L4');
});

test('without embedded context, files are links and selections are fenced text', async () => {
  const blocks = await promptBlocks(
    'explain',
    [{ kind: 'file', path: '/w/src/a b.ts', relPath: 'src/a b.ts' }, selection],
    { embeddedContext: false, readText: async () => assert.fail('must not read') },
  );
  assert.deepEqual(blocks[0], { type: 'text', text: 'explain' });
  assert.deepEqual(blocks[1], { type: 'resource_link', uri: 'file:///w/src/a%20b.ts', name: 'src/a b.ts' });
  assert.equal(blocks[2]?.type, 'text');
  const text = blocks[2]?.type === 'text' ? blocks[2].text : '';
  assert.match(text, /^src\/a b.ts lines 3-4:\n````typescript\n/);
  assert.match(text, /\n````$/);
});
