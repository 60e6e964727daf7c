import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelEvent } from '../../../agent-server/core/model-client.js';
import { FallbackModelClient, STAY_ON_FALLBACK_MS } from '../../../agent-server/model/fallback-client.js';
import { resolveFallbacks } from '../../../agent-server/model/fallbacks.js';
import { OpenAIModelClient } from '../../../agent-server/model/openai-client.js';
import type { ResolvedModel } from '../../../agent-server/model/resolve.js';
import { startScriptedModel, type Script, type ScriptedModel } from '../../fixtures/model-server.js';
import { ScriptedModelClient } from '../../fixtures/scripted-model-client.js';

const servers: ScriptedModel[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

const primary: ResolvedModel = {
  presetLabel: 'OpenAI',
  baseUrl: 'https://api.openai.com/v1',
  model: 'gpt-4.1',
  apiKey: 'sk-primary',
  maxRetries: 1,
  timeoutMs: 5000,
  choices: ['gpt-4.1'],
  acceptsReasoningEffort: true,
};

async function collect(client: FallbackModelClient): Promise<ModelEvent[]> {
  const events: ModelEvent[] = [];
  for await (const e of client.stream({
    messages: [{ role: 'user', content: 'hi' }],
    tools: [],
    signal: new AbortController().signal,
  }))
    events.push(e);
  return events;
}

const text = (events: ModelEvent[]) => events.flatMap((e) => (e.type === 'text' ? [e.delta] : [])).join('');
const notices = (events: ModelEvent[]) => events.flatMap((e) => (e.type === 'notice' ? [e.message] : []));

test('a fallback on the same endpoint uses its key; one on another endpoint only its own variable', () => {
  const { models, problems } = resolveFallbacks(
    [
      { model: 'gpt-4.1-mini' },
      { preset: 'openrouter', model: 'qwen/qwen3-coder' },
      { baseUrl: 'http://127.0.0.1:8080/v1', model: 'local' },
    ],
    primary,
    { OPENROUTER_API_KEY: 'sk-or', OPENAI_API_KEY: 'sk-primary' },
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(
    models.map((m) => [m.model, m.baseUrl, m.apiKey, m.presetLabel]),
    [
      ['gpt-4.1-mini', 'https://api.openai.com/v1', 'sk-primary', 'OpenAI'],
      ['qwen/qwen3-coder', 'https://openrouter.ai/api/v1', 'sk-or', 'OpenRouter'],
      // The primary's key never goes to another endpoint.
      ['local', 'http://127.0.0.1:8080/v1', 'not-needed', 'custom endpoint'],
    ],
  );
  assert.equal(models[0]!.maxRetries, 1, 'limits come from the model section');
});

test('a fallback without its key, or the model itself, is left out with a reason', () => {
  const { models, problems } = resolveFallbacks(
    [
      { preset: 'openrouter', model: 'a' },
      { model: 'gpt-4.1' },
      { preset: 'ollama', model: 'qwen' },
      { baseUrl: 'http://10.0.0.2/v1', model: 'b', apiKeyEnv: 'MY_KEY' },
    ],
    primary,
    {},
  );
  assert.deepEqual(
    models.map((m) => m.model),
    ['qwen'],
  );
  assert.equal(problems.length, 3);
  assert.match(problems[0]!, /model\.fallbacks\[0\] \(a\) has no API key: set OPENROUTER_API_KEY/);
  assert.match(problems[1]!, /model\.fallbacks\[1\] \(gpt-4\.1\) is the model itself/);
  assert.match(problems[2]!, /set MY_KEY/);
});

test('503s after retries: the request continues on the next model, with a notice naming it', async () => {
  const first = new ScriptedModelClient([{ fault: 'http_503' }], 'alpha');
  const second = new ScriptedModelClient([{ text: 'answered by beta' }], 'beta');
  const client = new FallbackModelClient([
    { client: first, label: 'alpha (A)' },
    { client: second, label: 'beta (B)' },
  ]);
  const events = await collect(client);
  assert.equal(text(events), 'answered by beta');
  assert.equal(notices(events).length, 1);
  assert.match(notices(events)[0]!, /^alpha \(A\) failed: .*overloaded.* Continuing on beta \(B\)\.$/);
  assert.ok(!events.some((e) => e.type === 'error'));
  assert.equal(client.fallbackAnswering, 'beta (B)');
  assert.equal(client.modelId, 'alpha', 'the chosen model stays the session model');
});

test('a rejected key (401) and a refused request (400) do not fall back', async () => {
  for (const fault of ['http_401', 'http_400'] as const) {
    const second = new ScriptedModelClient([{ text: 'never' }], 'beta');
    const client = new FallbackModelClient([
      { client: new ScriptedModelClient([{ fault }], 'alpha'), label: 'alpha' },
      { client: second, label: 'beta' },
    ]);
    const events = await collect(client);
    const error = events.find((e) => e.type === 'error');
    assert.ok(error, fault);
    assert.equal(second.requests.length, 0, `${fault} must not reach the fallback`);
    assert.deepEqual(notices(events), []);
  }
});

test('a failure after text was streamed ends the request there: the user saw part of an answer', async () => {
  const second = new ScriptedModelClient([{ text: 'never' }], 'beta');
  const client = new FallbackModelClient([
    {
      client: new ScriptedModelClient(
        [{ text: 'a long partial answer', fault: 'cut_stream', chunkSize: 4 }],
        'alpha',
      ),
      label: 'alpha',
    },
    { client: second, label: 'beta' },
  ]);
  const events = await collect(client);
  assert.ok(events.some((e) => e.type === 'error'));
  assert.equal(second.requests.length, 0);
});

test('later requests stay on the fallback, then the first model is tried again', async () => {
  let now = 1_000;
  const first = new ScriptedModelClient([{ fault: 'http_429' }, { text: 'alpha is back' }], 'alpha');
  const second = new ScriptedModelClient([{ text: 'one' }, { text: 'two' }], 'beta');
  const client = new FallbackModelClient(
    [
      { client: first, label: 'alpha' },
      { client: second, label: 'beta' },
    ],
    { now: () => now },
  );
  assert.equal(text(await collect(client)), 'one');
  now += 1_000;
  const stayed = await collect(client);
  assert.equal(text(stayed), 'two');
  assert.deepEqual(notices(stayed), [], 'no notice while it stays on the fallback');
  assert.equal(first.requests.length, 1);
  now += STAY_ON_FALLBACK_MS;
  assert.equal(client.fallbackAnswering, undefined);
  assert.equal(text(await collect(client)), 'alpha is back');
});

test('when every model fails the last failure ends the request', async () => {
  const client = new FallbackModelClient([
    { client: new ScriptedModelClient([{ fault: 'http_503' }], 'alpha'), label: 'alpha' },
    { client: new ScriptedModelClient([{ fault: 'reset' }], 'beta'), label: 'beta' },
  ]);
  const events = await collect(client);
  assert.equal(notices(events).length, 1);
  const error = events.at(-1);
  assert.equal(error?.type, 'error');
  assert.match(error.type === 'error' ? error.failure.message : '', /reset/);
});

test('over HTTP: the scripted server fails the first model with 503s, the second answers', async () => {
  const script: Script = (body) =>
    body.model === 'alpha' ? { fault: 'http_503' } : { text: `hello from ${body.model}` };
  const server = await startScriptedModel(script);
  servers.push(server);
  const http = (model: string): ResolvedModel => ({ ...primary, baseUrl: server.url, model, maxRetries: 2 });
  const client = new FallbackModelClient([
    { client: new OpenAIModelClient(http('alpha')), label: 'alpha' },
    { client: new OpenAIModelClient(http('beta')), label: 'beta' },
  ]);
  const events = await collect(client);
  assert.equal(text(events), 'hello from beta');
  assert.deepEqual(
    server.requests.map((r) => r.model),
    ['alpha', 'alpha', 'alpha', 'beta'],
    'alpha is retried first, then beta takes the same request',
  );
  assert.ok(
    notices(events).some((n) =>
      /alpha failed: The model provider failed \(503\).*Continuing on beta/.test(n),
    ),
  );
});
