import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import {
  fetchModelList,
  ModelListCache,
  unknownModelMessage,
} from '../../../agent-server/model/model-list.js';
import { startScriptedModel, type ScriptedModel } from '../../fixtures/model-server.js';

const servers: ScriptedModel[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

const signal = () => new AbortController().signal;

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

test("an endpoint's /models list is read; no list, an error page or no server is no list, never an error", async () => {
  const listing = await startScriptedModel([], { models: ['qwen3-coder', 'gpt-oss-20b'] });
  const bare = await startScriptedModel([]);
  servers.push(listing, bare);
  assert.deepEqual(await fetchModelList({ baseUrl: listing.url, apiKey: 'k' }, signal()), [
    'qwen3-coder',
    'gpt-oss-20b',
  ]);
  assert.equal(await fetchModelList({ baseUrl: bare.url, apiKey: 'k' }, signal()), undefined);
  const port = await closedPort();
  assert.equal(
    await fetchModelList({ baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: 'k' }, signal()),
    undefined,
  );
});

test('the list is asked once per endpoint and process', async () => {
  let asked = 0;
  const cache = new ModelListCache(async () => {
    asked++;
    return ['a', 'b'];
  });
  const endpoint = { baseUrl: 'http://x/v1', apiKey: 'k' };
  assert.equal(await cache.problemWith(endpoint, 'a'), undefined);
  assert.match((await cache.problemWith(endpoint, 'c')) ?? '', /no model "c"/);
  assert.equal(asked, 1);
  await cache.problemWith({ baseUrl: 'http://y/v1', apiKey: 'k' }, 'a');
  assert.equal(asked, 2);
});

test('an endpoint without a list accepts any model', async () => {
  const cache = new ModelListCache(async () => undefined);
  assert.equal(await cache.problemWith({ baseUrl: 'http://x/v1', apiKey: 'k' }, 'anything'), undefined);
});

test('an unknown model is named with the choices, a near one first', () => {
  const message = unknownModelMessage('qwen3-codr', 'http://h/v1', ['gpt-oss-20b', 'qwen3-coder']);
  assert.equal(
    message,
    'The endpoint at http://h/v1 has no model "qwen3-codr" — did you mean "qwen3-coder"? It offers: qwen3-coder, gpt-oss-20b.',
  );
  const many = unknownModelMessage(
    'x',
    'http://h/v1',
    Array.from({ length: 45 }, (_, i) => `model-${i}`),
  );
  assert.match(many, /model-29, and 15 more\.$/);
});
