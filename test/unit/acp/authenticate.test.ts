import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AUTH_METHOD_ID } from '../../../agent-server/acp/capabilities.js';
import { ScriptedModelClient } from '../../fixtures/scripted-model-client.js';
import { InProcessAcp } from '../../helpers/acp-in-process.js';
import { runtimeFixture } from '../../helpers/runtime-session.js';

test('authenticate accepts the advertised method and rejects any other id as invalid params', async (t) => {
  const fx = await runtimeFixture({ model: new ScriptedModelClient([]) });
  t.after(() => fx.cleanup());
  const client = await InProcessAcp.start({ services: fx.services });
  t.after(() => client.close());

  assert.deepEqual(await client.request('authenticate', { methodId: AUTH_METHOD_ID }), {});
  await assert.rejects(client.request('authenticate', { methodId: 'oauth-made-up' }), (err: unknown) => {
    const e = err as { code: number; message: string; data?: unknown };
    assert.equal(e.code, -32602);
    assert.match(e.message, /Unknown authentication method "oauth-made-up".*cairn-model-env/);
    return true;
  });
});
