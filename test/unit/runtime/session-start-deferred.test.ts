import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScriptedModelClient } from '../../fixtures/scripted-model-client.js';
import { tempDir } from '../../helpers/env.js';
import { runtimeFixture } from '../../helpers/runtime-session.js';

// Creating a session does no network work: the endpoint's model list (a fetch, with TLS set-up
// on a real endpoint) is asked once the client has its answer, or at the first turn at the latest.

async function modelListEndpoint(listed: string[]) {
  let asked = 0;
  const server = http.createServer((req, res) => {
    if (req.url?.endsWith('/models')) asked++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ object: 'list', data: listed.map((id) => ({ id, object: 'model' })) }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    asked: () => asked,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function setup(t: { after: (fn: () => Promise<void>) => void }, model: string, listed: string[]) {
  const repo = await tempDir('start-deferred-repo');
  const endpoint = await modelListEndpoint(listed);
  const fx = await runtimeFixture({
    model: new ScriptedModelClient([{ text: 'hello' }], model),
    baseUrl: endpoint.url,
  });
  t.after(async () => {
    await fx.cleanup();
    await endpoint.close();
    await fs.rm(repo, { recursive: true, force: true });
  });
  return { host: fx.host, bindings: fx.bindings, repo, endpoint };
}

async function until(check: () => boolean, what: string) {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check(), what);
}

test('a new session asks the endpoint nothing until it is warmed up, then asks once', async (t) => {
  const { host, bindings, repo, endpoint } = await setup(t, 'model-a', ['model-a']);
  const session = await host.create(bindings, { cwd: repo });
  // Long enough for a loopback request started during creation to arrive.
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(endpoint.asked(), 0, 'session creation fetched /models');
  session.warmUp();
  session.warmUp();
  await until(() => endpoint.asked() === 1, 'warm-up never asked for the model list');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(endpoint.asked(), 1);
});

test('a session never warmed up still checks its model at the first turn and says what it found', async (t) => {
  const { host, bindings, repo, endpoint } = await setup(t, 'model-typo', ['model-a', 'model-b']);
  const session = await host.create(bindings, { cwd: repo });
  const notices: string[] = [];
  session.subscribe((e) => {
    if (e.type === 'notice') notices.push(e.message);
  });
  await session.prompt({ role: 'user', content: 'hi' });
  assert.equal(endpoint.asked(), 1);
  assert.ok(
    notices.some((n) => n.includes('model-typo') && n.includes('model-a')),
    `no warning about the unlisted model in ${JSON.stringify(notices)}`,
  );
});
