import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { OpenAIModelClient } from '../../../agent-server/model/openai-client.js';
import { fetchModelList } from '../../../agent-server/model/model-list.js';
import type { ModelEvent } from '../../../agent-server/core/model-client.js';
import { startScriptedModel } from '../../fixtures/model-server.js';
import { startLocalProxy } from './local-proxy.js';

// This file's process only: the model client reads the proxy from its environment.
const proxy = await startLocalProxy();
const model = await startScriptedModel([{ text: 'Hello via proxy.' }, { text: 'Hello direct.' }], {
  models: ['m1'],
});
after(async () => {
  proxy.close();
  await model.close();
});
const port = new URL(model.url).port;

async function textOf(): Promise<string> {
  const client = new OpenAIModelClient({
    presetLabel: 't',
    baseUrl: model.url,
    model: 'm',
    apiKey: 'k',
    maxRetries: 0,
    timeoutMs: 10_000,
    choices: [],
  });
  const events: ModelEvent[] = [];
  for await (const e of client.stream({
    messages: [{ role: 'user', content: 'hi' }],
    tools: [],
    signal: new AbortController().signal,
  }))
    events.push(e);
  return events.map((e) => (e.type === 'text' ? e.delta : '')).join('');
}

test('the model client and its model list go through HTTP_PROXY; NO_PROXY hosts are reached directly', async () => {
  process.env.HTTP_PROXY = proxy.url;
  delete process.env.http_proxy;
  delete process.env.NO_PROXY;
  delete process.env.no_proxy;
  assert.equal(await textOf(), 'Hello via proxy.');
  assert.deepEqual(await fetchModelList({ baseUrl: model.url, apiKey: 'k' }, new AbortController().signal), [
    'm1',
  ]);
  assert.ok(proxy.seen.length >= 2, proxy.seen.join(', '));
  assert.ok(
    proxy.seen.every((line) => line === `CONNECT 127.0.0.1:${port}`),
    proxy.seen.join(', '),
  );

  proxy.seen.length = 0;
  process.env.NO_PROXY = '127.0.0.1';
  assert.equal(await textOf(), 'Hello direct.');
  assert.deepEqual(proxy.seen, []);
  assert.equal(model.requests.length, 2);
});
