import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { SessionEvent } from '../../../agent-server/runtime/session-events.js';
import { ScriptedModelClient } from '../../fixtures/scripted-model-client.js';
import { tempDir } from '../../helpers/env.js';
import { runtimeFixture } from '../../helpers/runtime-session.js';

test("closing a session waits for its last turn's checkpoint: nothing writes to Cairn's home afterwards", async (t) => {
  const repo = await tempDir('checkpoint-close');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  await fs.writeFile(path.join(repo, 'a.txt'), 'before\n');
  const model = new ScriptedModelClient([
    { toolCalls: [{ name: 'write_file', arguments: { path: 'a.txt', content: 'after\n' } }] },
    { text: 'Changed a.txt.' },
  ]);
  const fx = await runtimeFixture({ model });
  t.after(() => fx.cleanup());
  const session = await fx.host.create(fx.bindings, { cwd: repo, mode: 'auto' });
  const events: SessionEvent[] = [];
  session.subscribe((e) => events.push(e));
  assert.equal((await session.prompt({ role: 'user', content: 'Change a.txt' })).stopReason, 'end_turn');
  await fx.host.close(session.id);
  // The turn's checkpoint was finished (and announced) before close() returned.
  const checkpoint = events.find((e) => e.type === 'checkpoint');
  assert.ok(checkpoint, `events: ${events.map((e) => e.type).join(', ')}`);
  // And the home can be removed at once: no write of the shadow repository is still going on.
  await fs.rm(fx.services.home, { recursive: true });
});
