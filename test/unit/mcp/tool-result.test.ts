import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapCallResult } from '../../../agent-server/mcp/tool-result.js';

test('text, image, audio, resources and links map to model text and client content', () => {
  const mapped = mapCallResult({
    content: [
      { type: 'text', text: 'hello' },
      { type: 'image', mimeType: 'image/png', data: 'iVBORw0KGgo=' },
      { type: 'audio', mimeType: 'audio/wav', data: 'UklGRg==' },
      { type: 'resource', resource: { uri: 'file:///a.txt', mimeType: 'text/plain', text: 'inside' } },
      { type: 'resource', resource: { uri: 'file:///b.bin', blob: 'AAAA' } },
      { type: 'resource_link', uri: 'file:///c.md', name: 'c.md' },
    ],
  });
  assert.deepEqual(mapped.forModel.split('\n'), [
    'hello',
    '[image/png image, 9 bytes, shown to the user]',
    '[audio/wav audio, 6 bytes; audio is not shown]',
    'Resource file:///a.txt (text/plain):',
    'inside',
    'Resource file:///b.bin: binary, 3 bytes',
    'Resource link file:///c.md (c.md)',
  ]);
  assert.deepEqual(mapped.content[1], { type: 'image', mimeType: 'image/png', data: 'iVBORw0KGgo=' });
  assert.ok(mapped.content.filter((c) => c !== mapped.content[1]).every((c) => c.type === 'text'));
});

test('structured content is shown when there is no text; an empty result says so', () => {
  assert.equal(mapCallResult({ content: [], structuredContent: { sum: 3 } }).forModel, '{\n  "sum": 3\n}');
  assert.equal(mapCallResult({ content: [] }).forModel, '(the tool returned no content)');
});

test('a huge result reaches the runner whole (it is cut there, once, for every tool)', () => {
  const big = 'a'.repeat(200_000) + 'MIDDLE' + 'z'.repeat(200_000);
  const mapped = mapCallResult({ content: [{ type: 'text', text: big }] });
  assert.equal(mapped.forModel, big);
  assert.deepEqual(mapped.content, [{ type: 'text', text: big }]);
});
