import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import type { ModelEvent } from '../../../agent-server/core/model-client.js';
import { OpenAIModelClient } from '../../../agent-server/model/openai-client.js';
import { resolveModel } from '../../../agent-server/model/resolve.js';
import { backoffMs, retryAfterMs, retryNotice } from '../../../agent-server/model/endpoint-diagnostics.js';
import { ModelConfigSchema } from '../../../shared/config.js';
import { startScriptedModel } from '../../fixtures/model-server.js';

const closers: Array<() => Promise<void>> = [];
after(async () => {
  for (const close of closers) await close();
});

/** A loopback server that answers every request with one fixed response. */
async function fixedServer(status: number, contentType: string, body: string): Promise<string> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': contentType });
      res.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(() => r())));
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/v1`;
}

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function streamFrom(baseUrl: string, maxRetries = 2): Promise<ModelEvent[]> {
  const client = new OpenAIModelClient({
    presetLabel: 't',
    baseUrl,
    model: 'm',
    apiKey: 'k',
    maxRetries,
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
  return events;
}

const failureOf = (events: ModelEvent[]) => {
  const last = events.at(-1);
  assert.equal(last?.type, 'error', JSON.stringify(events));
  return (last as Extract<ModelEvent, { type: 'error' }>).failure;
};

const NGINX_PAGE =
  '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body><center><h1>404 Not Found</h1></center><hr><center>nginx</center></body></html>';

test('an HTML page answering 200 is diagnosed as "not the OpenAI API", not an empty answer', async () => {
  const url = await fixedServer(
    200,
    'text/html; charset=utf-8',
    '<!doctype html><html><body>Welcome</body></html>',
  );
  const failure = failureOf(await streamFrom(url));
  assert.equal(failure.kind, 'bad_response');
  assert.equal(
    failure.message,
    `The endpoint at ${url} answered with an HTML page, not the OpenAI API — does the base URL end in /v1?`,
  );
});

test('an HTML 404 says so and never prints the page', async () => {
  const url = await fixedServer(404, 'text/html', NGINX_PAGE);
  const failure = failureOf(await streamFrom(url));
  assert.match(
    failure.message,
    /answered with an HTML page \(404\), not the OpenAI API — does the base URL end in \/v1\?/,
  );
  assert.doesNotMatch(failure.message, /<html|nginx/);
});

test('a 200 that is not an event stream is reported, not taken as an empty answer', async () => {
  const url = await fixedServer(200, 'application/json', '{"hello":"world"}');
  const failure = failureOf(await streamFrom(url));
  assert.match(failure.message, /answered, but not with an OpenAI chat-completions stream/);
});

test('connection refused says nothing is listening, at once and without retries', async () => {
  const url = `http://127.0.0.1:${await closedPort()}/v1`;
  const events = await streamFrom(url, 4);
  assert.equal(events.filter((e) => e.type === 'notice').length, 0, 'no retry notices');
  assert.equal(failureOf(events).message, `Nothing is listening at ${url} — is the server running?`);
  assert.equal(failureOf(events).kind, 'network');
});

test('each retry is announced with its reason, delay and attempt number', async () => {
  const model = await startScriptedModel([{ fault: 'http_429' }, { fault: 'http_500' }, { text: 'ok' }]);
  closers.push(() => model.close());
  const events = await streamFrom(model.url, 2);
  const notices = events.flatMap((e) => (e.type === 'notice' ? [e.message] : []));
  assert.equal(notices.length, 2);
  assert.match(notices[0]!, /^rate limited, retrying in \d+ s \(attempt 2\/3\)$/);
  assert.match(notices[1]!, /^the model provider failed \(500\), retrying in \d+ s \(attempt 3\/3\)$/);
  assert.ok(events.some((e) => e.type === 'text'));
});

test('retry delays follow retry-after, else back off exponentially', () => {
  assert.equal(retryAfterMs(new Headers({ 'retry-after': '3' })), 3000);
  assert.equal(retryAfterMs(new Headers({ 'retry-after-ms': '250' })), 250);
  assert.equal(retryAfterMs(new Headers()), undefined);
  assert.equal(
    backoffMs(0, () => 0),
    500,
  );
  assert.equal(
    backoffMs(2, () => 0),
    2000,
  );
  assert.equal(
    backoffMs(10, () => 0),
    8000,
  );
  assert.equal(retryNotice('rate limited', 2000, 2, 3), 'rate limited, retrying in 2 s (attempt 2/3)');
});

test('a base URL without http:// is refused in the config and from the environment', () => {
  const parsed = ModelConfigSchema.safeParse({ baseUrl: 'localhost:8080/v1' });
  assert.equal(parsed.success, false);
  assert.match(JSON.stringify(parsed.error?.issues), /http:\/\/ or https:\/\//);
  const resolved = resolveModel(ModelConfigSchema.parse({}), {
    OPENAI_BASE_URL: '127.0.0.1:8080/v1',
    CAIRN_MODEL: 'm',
  });
  assert.equal(resolved.ok, false);
  assert.match(
    resolved.ok ? '' : resolved.problem,
    /"127\.0\.0\.1:8080\/v1" \(OPENAI_BASE_URL\) is not an http/,
  );
});

test('failure messages name the endpoint without credentials or query a gateway may carry in its URL', async () => {
  const html = await fixedServer(404, 'text/html', NGINX_PAGE);
  const escaped = html.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // A key in the query reaches the server; the message names the endpoint without it.
  const queried = failureOf(await streamFrom(`${html}?key=sk-in-query-123`, 0)).message;
  assert.match(queried, new RegExp(`^The endpoint at ${escaped} answered with an HTML page \\(404\\)`));
  assert.doesNotMatch(queried, /sk-in-query/);
  // Credentials in the URL (fetch refuses them): the failure says so without repeating them.
  const withUser = html.replace('http://', 'http://user:hunter2-secret@');
  const refused = failureOf(await streamFrom(withUser, 0)).message;
  assert.match(refused, new RegExp(`^Cannot reach the model at ${escaped}: `));
  assert.doesNotMatch(refused, /hunter2|user:/);
});
