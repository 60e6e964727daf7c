import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileUri, imageNotice, promptBlocks } from '../../../extension/prompt-content.js';
import { REFERENCE_BUDGET_BYTES } from '../../../extension/context/budget.js';

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
    { embeddedContext: false, images: false, readText: async () => assert.fail('must not read') },
  );
  assert.deepEqual(blocks[0], { type: 'text', text: 'explain' });
  assert.deepEqual(blocks[1], { type: 'resource_link', uri: 'file:///w/src/a%20b.ts', name: 'src/a b.ts' });
  assert.equal(blocks[2]?.type, 'text');
  const text = blocks[2]?.type === 'text' ? blocks[2].text : '';
  assert.match(text, /^src\/a b.ts lines 3-4:\n````typescript\n/);
  assert.match(text, /\n````$/);
});

const PNG = 'iVBORw0KGgo=';
const image = {
  kind: 'image' as const,
  name: 'shot.png',
  mimeType: 'image/png' as const,
  data: PNG,
  bytes: 8,
};

test('an image goes as an ACP image block only when the agent accepts images, else a note', async () => {
  const withImages = await promptBlocks('what is this', [image], {
    embeddedContext: true,
    images: true,
    readText: async () => '',
  });
  assert.deepEqual(withImages[1], { type: 'image', mimeType: 'image/png', data: PNG });
  assert.equal(imageNotice([image], true), null);

  const without = await promptBlocks('what is this', [image], {
    embeddedContext: true,
    images: false,
    readText: async () => '',
  });
  assert.equal(without.length, 2);
  assert.equal(without[1]?.type, 'text');
  assert.match(
    without[1]?.type === 'text' ? without[1].text : '',
    /shot\.png; it was not sent: this agent does not accept images/,
  );
  assert.match(
    imageNotice([image], false) ?? '',
    /^shot\.png was not sent: this agent does not accept images/,
  );
});

test('references go as tagged text; @url asks the agent to use web_fetch', async () => {
  const blocks = await promptBlocks(
    'fix these',
    [
      {
        kind: 'reference',
        ref: 'problems',
        label: 'problems',
        text: 'src/a.ts:3:7 error TS2322: no',
        bytes: 30,
        note: null,
      },
      { kind: 'url', url: 'https://example.com/docs' },
    ],
    { embeddedContext: true, images: true, readText: async () => '' },
  );
  assert.deepEqual(blocks[1], {
    type: 'text',
    text: '<context source="@problems">\nsrc/a.ts:3:7 error TS2322: no\n</context>',
  });
  assert.match(
    blocks[2]?.type === 'text' ? blocks[2].text : '',
    /https:\/\/example\.com\/docs: read it with web_fetch/,
  );
});

test('@folder sends its tree, then the files the prompt names while they fit the budget', async () => {
  const big = 'x'.repeat(REFERENCE_BUDGET_BYTES);
  const texts: Record<string, string> = {
    '/w/src/parser.ts': 'export const parse = 1;',
    '/w/src/huge.ts': big,
  };
  const blocks = await promptBlocks(
    'why does parser fail, see huge too',
    [
      {
        kind: 'reference',
        ref: 'folder',
        label: 'src/',
        path: '/w/src',
        files: ['/w/src/parser.ts', '/w/src/huge.ts', '/w/src/other.ts'],
        text: 'src/\n  huge.ts\n  other.ts\n  parser.ts',
        bytes: 36,
        note: null,
      },
    ],
    { embeddedContext: true, images: true, readText: async (p) => texts[p] ?? assert.fail(`read ${p}`) },
  );
  const text = blocks[1]?.type === 'text' ? blocks[1].text : '';
  assert.match(text, /^<context source="@src\/">\nsrc\/\n {2}huge\.ts/);
  assert.match(text, /<file path="\/w\/src\/parser\.ts">\nexport const parse = 1;\n<\/file>/);
  assert.match(text, /Not included, over the budget: \/w\/src\/huge\.ts \(48 KB\)/);
  assert.doesNotMatch(text, /other\.ts">/);
});
