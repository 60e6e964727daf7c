import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebConfigSchema, type WebConfig } from '../../../shared/config.js';
import { createWebFetchTool } from '../../../agent-server/tools/web-fetch.js';
import { proxyFor, proxySettingsFromEnv } from '../../../agent-server/web/proxy-env.js';
import { tempDir } from '../../helpers/env.js';
import { toolContext } from '../../helpers/tool-context.js';
import { startLocalProxy } from './local-proxy.js';

const site = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('Hello through the proxy.');
});
await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
const sitePort = (site.address() as AddressInfo).port;

/** Stands in for an https server: records the first bytes (a TLS ClientHello) and hangs up. */
const helloes: Buffer[] = [];
const tlsStandIn = net.createServer((socket) => {
  socket.once('data', (chunk) => {
    helloes.push(chunk);
    socket.destroy();
  });
});
await new Promise<void>((resolve) => tlsStandIn.listen(0, '127.0.0.1', resolve));
const tlsPort = (tlsStandIn.address() as AddressInfo).port;

const proxy = await startLocalProxy();
after(() => {
  proxy.close();
  site.close();
  tlsStandIn.close();
});
const root = await tempDir('web-proxy');

function config(overrides: Partial<WebConfig> = {}): WebConfig {
  return WebConfigSchema.parse(overrides);
}

test('proxy settings: lower-case names win, a bare host:port is an http proxy, NO_PROXY matches hosts, domains and ports', () => {
  const settings = proxySettingsFromEnv({
    HTTP_PROXY: 'http://upper.example:1',
    http_proxy: 'lower.example:3128',
    HTTPS_PROXY: 'http://user:p%40ss@secure.example:8080',
    NO_PROXY: 'internal.example, .corp.example,10.1.2.3,svc.example:8443',
  });
  const via = (u: string) => proxyFor(new URL(u), settings)?.host;
  assert.equal(via('http://docs.example/'), 'lower.example:3128');
  assert.equal(via('https://docs.example/'), 'secure.example:8080');
  assert.equal(via('https://internal.example/x'), undefined);
  assert.equal(via('https://a.internal.example/x'), undefined);
  assert.equal(via('https://wiki.corp.example/'), undefined);
  assert.equal(via('http://10.1.2.3/'), undefined);
  assert.equal(via('https://svc.example:8443/'), undefined);
  assert.equal(via('https://svc.example/'), 'secure.example:8080');
  assert.equal(via('https://notinternal.example/'), 'secure.example:8080');
  assert.equal(
    proxyFor(new URL('https://x.example/'), proxySettingsFromEnv({ NO_PROXY: '*', HTTPS_PROXY: 'p:1' })),
    undefined,
  );
  assert.equal(proxyFor(new URL('https://x.example/'), proxySettingsFromEnv({})), undefined);
});

test('web_fetch goes through HTTP_PROXY for an http page', async () => {
  proxy.seen.length = 0;
  const tool = createWebFetchTool(config({ allowPrivateHosts: ['127.0.0.1'] }), { HTTP_PROXY: proxy.url });
  const result = await tool.run({ url: `http://127.0.0.1:${sitePort}/page` }, toolContext(root));
  assert.match(result.forModel, /Hello through the proxy\./);
  assert.deepEqual(proxy.seen, [`GET http://127.0.0.1:${sitePort}/page`]);
});

test('through a proxy the target is still checked: a loopback host is refused before the proxy hears of it', async () => {
  proxy.seen.length = 0;
  const tool = createWebFetchTool(config(), { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url });
  await assert.rejects(
    tool.run({ url: `http://localhost:${sitePort}/page` }, toolContext(root)),
    /private, loopback or link-local/,
  );
  await assert.rejects(
    tool.run({ url: `https://127.0.0.1:${tlsPort}/` }, toolContext(root)),
    /private, loopback or link-local/,
  );
  assert.deepEqual(proxy.seen, []);
});

test('NO_PROXY hosts are fetched directly', async () => {
  proxy.seen.length = 0;
  const tool = createWebFetchTool(config({ allowPrivateHosts: ['127.0.0.1'] }), {
    HTTP_PROXY: proxy.url,
    NO_PROXY: 'localhost,127.0.0.1',
  });
  const result = await tool.run({ url: `http://127.0.0.1:${sitePort}/page` }, toolContext(root));
  assert.match(result.forModel, /Hello through the proxy\./);
  assert.deepEqual(proxy.seen, []);
});

test('an https page goes through a CONNECT tunnel, with TLS to the target inside it', async () => {
  proxy.seen.length = 0;
  helloes.length = 0;
  const tool = createWebFetchTool(config({ allowPrivateHosts: ['localhost'] }), { HTTPS_PROXY: proxy.url });
  // The stand-in hangs up after the ClientHello, so the fetch fails; what matters is the route.
  await assert.rejects(tool.run({ url: `https://localhost:${tlsPort}/docs` }, toolContext(root)));
  assert.deepEqual(proxy.seen, [`CONNECT localhost:${tlsPort}`]);
  assert.equal(helloes[0]?.[0], 0x16, 'a TLS handshake record reached the target through the tunnel');
  assert.ok(helloes[0]!.includes(Buffer.from('localhost')), 'with the host name as SNI');
});
