import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { lineRangeOf } from '../../../agent-server/acp/linked-files.js';
import { ScriptedModelClient } from '../../fixtures/scripted-model-client.js';
import { InProcessAcp } from '../../helpers/acp-in-process.js';
import { tempDir } from '../../helpers/env.js';
import { runtimeFixture } from '../../helpers/runtime-session.js';

test('line ranges of selection links', () => {
  assert.deepEqual(lineRangeOf('file:///r/a.ts#L2-3'), { start: 2, end: 3 });
  assert.deepEqual(lineRangeOf('file:///r/a.ts#L2-L4'), { start: 2, end: 4 });
  assert.deepEqual(lineRangeOf('file:///r/a.ts#L5'), { start: 5, end: 5 });
  assert.equal(lineRangeOf('file:///r/a.ts'), undefined);
  assert.equal(lineRangeOf('file:///r/a.ts#L3-2'), undefined);
});

test('a selection link reaches the model with its path, range and lines; a file link is inlined; outside stays a link', async (t) => {
  const repo = await tempDir('linked-files');
  const outside = await tempDir('linked-outside');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  t.after(() => fs.rm(outside, { recursive: true, force: true }));
  await fs.writeFile(path.join(repo, 'a.ts'), 'line one\nline two\nline three\nline four\n');
  await fs.writeFile(path.join(repo, 'b.md'), 'whole of b\n');
  await fs.writeFile(path.join(outside, 'secret.txt'), 'do not read\n');
  const model = new ScriptedModelClient([{ text: 'Seen.' }]);
  const fx = await runtimeFixture({ model });
  t.after(() => fx.cleanup());
  const client = await InProcessAcp.start({ services: fx.services });
  t.after(() => client.close());
  const { sessionId } = await client.newSession(repo);

  const url = (p: string) => pathToFileURL(p).href;
  await client.request('session/prompt', {
    sessionId,
    prompt: [
      { type: 'text', text: 'Explain these' },
      { type: 'resource_link', name: 'a.ts', uri: `${url(path.join(repo, 'a.ts'))}#L2-3` },
      { type: 'resource_link', name: 'b.md', uri: url(path.join(repo, 'b.md')) },
      { type: 'resource_link', name: 'secret.txt', uri: url(path.join(outside, 'secret.txt')) },
    ],
  });
  const sent = JSON.stringify(model.requests[0]!.messages);
  assert.ok(sent.includes(`${path.join(repo, 'a.ts')}#L2-3`), sent);
  assert.ok(sent.includes('line two\\nline three'));
  assert.ok(!sent.includes('line one') && !sent.includes('line four'));
  assert.ok(sent.includes('whole of b'));
  assert.ok(!sent.includes('do not read'));
  assert.ok(sent.includes(`[@secret.txt](${path.join(outside, 'secret.txt')})`));
});
