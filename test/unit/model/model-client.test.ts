import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelEvent } from '../../../agent-server/core/model-client.js';
import { OpenAIModelClient } from '../../../agent-server/model/openai-client.js';
import { resolveModel } from '../../../agent-server/model/resolve.js';
import { ModelConfigSchema } from '../../../shared/config.js';
import { startScriptedModel, type ScriptStep, type ScriptedModel } from '../../fixtures/model-server.js';

const models: ScriptedModel[] = [];
after(async () => {
  for (const m of models) await m.close();
});

async function collect(steps: ScriptStep[], maxRetries = 2) {
  const model = await startScriptedModel(steps);
  models.push(model);
  const client = new OpenAIModelClient({
    presetLabel: 't',
    baseUrl: model.url,
    model: 'm',
    apiKey: 'k',
    maxRetries,
    timeoutMs: 5000,
    choices: [],
  });
  const events: ModelEvent[] = [];
  for await (const e of client.stream({
    messages: [{ role: 'user', content: 'hi' }],
    tools: [],
    signal: new AbortController().signal,
  }))
    events.push(e);
  return { events, model };
}

test('retries 429 and 500 with backoff, then streams', async () => {
  const { events, model } = await collect([{ fault: 'http_429' }, { fault: 'http_500' }, { text: 'ok' }]);
  assert.equal(model.requests.length, 3);
  assert.deepEqual(
    events.filter((e) => e.type === 'text'),
    [{ type: 'text', delta: 'ok' }],
  );
  assert.deepEqual(events.at(-1), { type: 'done', finishReason: 'stop' });
});

test('failures become one final error event with a clear message, never a throw', async () => {
  const auth = await collect([{ fault: 'http_401' }]);
  const last = auth.events.at(-1);
  assert.equal(last?.type, 'error');
  assert.equal(last?.type === 'error' && last.failure.kind, 'auth');

  const exhausted = await collect([{ fault: 'http_500' }, { fault: 'http_500' }], 1);
  const err = exhausted.events.at(-1);
  assert.ok(
    err?.type === 'error' && err.failure.kind === 'server' && /after retries/.test(err.failure.message),
  );

  const reset = await collect([{ fault: 'reset' }, { fault: 'reset' }, { fault: 'reset' }]);
  const net = reset.events.at(-1);
  assert.ok(net?.type === 'error' && net.failure.kind === 'network');
});

test('the key is resolved from the environment and never required for local presets', () => {
  const cfg = (o: object) => ModelConfigSchema.parse(o);
  const openai = resolveModel(cfg({}), { OPENAI_API_KEY: 'sk-1' });
  assert.ok(
    openai.ok && openai.model.baseUrl === 'https://api.openai.com/v1' && openai.model.apiKey === 'sk-1',
  );
  const missing = resolveModel(cfg({}), {});
  assert.ok(!missing.ok && /OPENAI_API_KEY/.test(missing.hint));
  const router = resolveModel(cfg({ preset: 'openrouter', model: 'x/y' }), { OPENROUTER_API_KEY: 'or-1' });
  assert.ok(router.ok && router.model.apiKey === 'or-1' && router.model.baseUrl.includes('openrouter'));
  const noModel = resolveModel(cfg({ preset: 'ollama' }), {});
  assert.ok(!noModel.ok && /CAIRN_MODEL/.test(noModel.hint));
  const ollama = resolveModel(cfg({ preset: 'ollama' }), { CAIRN_MODEL: 'qwen' });
  assert.ok(ollama.ok && ollama.model.baseUrl === 'http://127.0.0.1:11434/v1');
  const custom = resolveModel(cfg({ apiKeyEnv: 'MY_KEY' }), {
    OPENAI_BASE_URL: 'http://h/v1',
    CAIRN_MODEL: 'm',
    MY_KEY: 'mine',
  });
  assert.ok(custom.ok && custom.model.apiKey === 'mine' && custom.model.presetLabel === 'custom endpoint');
});
