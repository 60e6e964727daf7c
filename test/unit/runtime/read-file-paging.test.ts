import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { ScriptedModelClient } from '../../fixtures/scripted-model-client.js';
import { tempDir } from '../../helpers/env.js';
import { runtimeFixture } from '../../helpers/runtime-session.js';

/** The text of the tool result the model read in request `i`. */
function toolResult(model: ScriptedModelClient, i: number): string {
  const messages = model.requests[i]!.messages as { role: string; content?: unknown }[];
  const tool = messages.filter((m) => m.role === 'tool').at(-1);
  return typeof tool?.content === 'string' ? tool.content : JSON.stringify(tool?.content);
}

test('read_file pages to the output budget: whole lines and where to go on, never a result cut in the middle', async (t) => {
  const repo = await tempDir('read-paging');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  // 3,000 lines of ~60 bytes: the default 2,000-line page would be ~120 KB, over the 50 KB budget.
  const body = Array.from({ length: 3000 }, (_, i) => `line ${i + 1} ${'x'.repeat(50)}`).join('\n') + '\n';
  await fs.writeFile(path.join(repo, 'big.txt'), body);
  // And a file of exactly 2,000 short lines: the default page plus its note used to pass the line budget.
  const lines2000 = Array.from({ length: 2500 }, (_, i) => `r${i + 1}`).join('\n') + '\n';
  await fs.writeFile(path.join(repo, 'long.txt'), lines2000);
  const model = new ScriptedModelClient([
    { toolCalls: [{ name: 'read_file', arguments: { path: 'big.txt' } }] },
    { toolCalls: [{ name: 'read_file', arguments: { path: 'long.txt' } }] },
    { text: 'Read both.' },
  ]);
  const fx = await runtimeFixture({ model });
  t.after(() => fx.cleanup());
  const session = await fx.host.create(fx.bindings, { cwd: repo });
  const outcome = await session.prompt({ role: 'user', content: 'Read the files' });
  assert.equal(outcome.stopReason, 'end_turn');

  const budget = fx.services.config.toolOutput;
  for (const [i, total] of [
    [1, 3000],
    [2, 2500],
  ] as const) {
    const seen = toolResult(model, i);
    // Not cut by the runner: no elision note and nothing saved aside.
    assert.doesNotMatch(seen, /omitted|saved whole|Full output/i, `request ${i}`);
    assert.ok(Buffer.byteLength(seen) <= budget.maxBytes, `request ${i}: within the byte budget`);
    assert.ok(seen.split('\n').length <= budget.maxLines, `request ${i}: within the line budget`);
    const shown = /\[Showing lines 1-(\d+) of (\d+)\. Use offset=(\d+) to read more\.\]$/.exec(seen);
    assert.ok(shown, `request ${i} ends with where to go on: ${seen.slice(-200)}`);
    const last = Number(shown[1]);
    assert.equal(Number(shown[2]), total);
    assert.equal(Number(shown[3]), last + 1);
    // The page is whole lines 1..last, in order.
    const numbered = seen.split('\n').filter((l) => /^\s*\d+\t/.test(l));
    assert.equal(numbered.length, last);
    assert.match(numbered.at(-1)!, new RegExp(`^\\s*${last}\\t`));
  }
});
