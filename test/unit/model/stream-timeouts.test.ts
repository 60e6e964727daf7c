import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ModelEvent } from '../../../agent-server/core/model-client.js';
import { OpenAIModelClient } from '../../../agent-server/model/openai-client.js';
import { resolveModel } from '../../../agent-server/model/resolve.js';
import { ModelConfigSchema } from '../../../shared/config.js';

// A loopback endpoint that goes quiet at a chosen point: the turn must end with a clear
// message instead of waiting for ever.

const servers: http.Server[] = [];
after(() => {
  for (const s of servers) s.closeAllConnections();
  for (const s of servers) s.close();
});

const chunk = (text: string) =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`;

async function endpoint(
  behaviour: 'no-answer' | 'headers-then-nothing' | 'one-chunk-then-stall',
): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    req.resume();
    if (behaviour === 'no-answer') return;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.flushHeaders();
    if (behaviour === 'one-chunk-then-stall') res.write(chunk('partial '));
    // …and then nothing, with the connection held open.
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, requests: () => requests };
}

async function run(url: string, limits: { firstByteMs?: number; idleMs?: number }): Promise<ModelEvent[]> {
  const client = new OpenAIModelClient({
    presetLabel: 't',
    baseUrl: url,
    model: 'm',
    apiKey: 'k',
    maxRetries: 3,
    timeoutMs: 600_000,
    firstByteTimeoutMs: limits.firstByteMs,
    streamIdleTimeoutMs: limits.idleMs,
    choices: [],
  });
  const events: ModelEvent[] = [];
  for await (const e of client.stream({
    messages: [{ role: 'user', content: 'hi' }],
    tools: [],
    signal: new AbortController().signal,
  }))
    events.push(e);
  return events;
}

test('a stream that stalls after headers and one chunk ends the turn with a clear message', async () => {
  const server = await endpoint('one-chunk-then-stall');
  const events = await run(server.url, { firstByteMs: 60_000, idleMs: 300 });
  assert.deepEqual(events[0], { type: 'text', delta: 'partial ' });
  const last = events.at(-1);
  assert.ok(last?.type === 'error', JSON.stringify(last));
  assert.match(last.failure.message, /stalled.*streamIdleTimeoutSec/);
});

test('an endpoint that sends headers and then nothing hits the first-byte limit, without retries', async () => {
  const server = await endpoint('headers-then-nothing');
  const events = await run(server.url, { firstByteMs: 300, idleMs: 60_000 });
  const last = events.at(-1);
  assert.ok(last?.type === 'error', JSON.stringify(last));
  assert.match(last.failure.message, /sent nothing.*firstByteTimeoutSec/);
  assert.equal(server.requests(), 1);
  assert.equal(events.filter((e) => e.type === 'notice').length, 0);
});

test('an endpoint that never answers the request hits the first-byte limit, without retries', async () => {
  const server = await endpoint('no-answer');
  const events = await run(server.url, { firstByteMs: 300, idleMs: 60_000 });
  const last = events.at(-1);
  assert.ok(last?.type === 'error', JSON.stringify(last));
  assert.match(last.failure.message, /sent nothing.*firstByteTimeoutSec/);
  assert.equal(server.requests(), 1);
});

test('both limits have defaults in the config schema and reach the resolved model', () => {
  const config = ModelConfigSchema.parse({ baseUrl: 'http://127.0.0.1:1/v1', model: 'm' });
  const resolved = resolveModel(config, {});
  assert.ok(resolved.ok);
  assert.equal(resolved.model.firstByteTimeoutMs, 120_000);
  assert.equal(resolved.model.streamIdleTimeoutMs, 60_000);
  const custom = resolveModel(
    ModelConfigSchema.parse({
      baseUrl: 'http://127.0.0.1:1/v1',
      model: 'm',
      firstByteTimeoutSec: 5,
      streamIdleTimeoutSec: 2,
    }),
    {},
  );
  assert.ok(custom.ok);
  assert.equal(custom.model.firstByteTimeoutMs, 5000);
  assert.equal(custom.model.streamIdleTimeoutMs, 2000);
});
