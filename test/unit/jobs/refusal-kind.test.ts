// Refusals travel typed (who refused), so job and batch results tell them from failures
// without reading the sentence shown to the model.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs/promises';
import { describe, it } from 'node:test';
import type { SessionEvent } from '../../../agent-server/runtime/session-events.js';
import { deniedOutcome } from '../../../agent-server/tools/denied-outcome.js';
import { ScriptedModelClient } from '../../fixtures/scripted-model-client.js';
import { runtimeFixture } from '../../helpers/runtime-session.js';
import { tempDir } from '../../helpers/env.js';

describe('typed refusals', () => {
  it('a changing tool called in plan mode ends failed with refusal "mode"', async () => {
    const fixture = await runtimeFixture({
      model: new ScriptedModelClient([
        { toolCalls: [{ name: 'write_file', arguments: { path: 'a.txt', content: 'x' } }] },
        { text: 'ok' },
      ]),
    });
    const cwd = await tempDir('refusal-cwd');
    try {
      const session = await fixture.host.create(fixture.bindings, { cwd, mode: 'plan' });
      const events: SessionEvent[] = [];
      session.subscribe((e) => events.push(e));
      await session.prompt({ role: 'user', content: 'write a.txt' });
      const ended = events.find((e) => e.type === 'tool_call_update' && e.outcome);
      assert.ok(ended && ended.type === 'tool_call_update');
      assert.equal(ended.outcome, 'failed');
      assert.equal(ended.refusal, 'mode');
    } finally {
      await fixture.cleanup();
      await fs.rm(cwd, { recursive: true, force: true });
    }
  });

  it('the gate’s refusals say who refused; a cancellation is no refusal', () => {
    assert.equal(deniedOutcome({ allowed: false, reason: 'mode', message: 'read-only' }).refusal, 'mode');
    assert.equal(deniedOutcome({ allowed: false, reason: 'rejected', message: 'no' }).refusal, 'permission');
    assert.equal(deniedOutcome({ allowed: false, reason: 'cancelled', message: 'c' }).refusal, undefined);
  });
});
