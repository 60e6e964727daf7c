import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebConfigSchema } from '../../../shared/config.js';
import { createWebTools } from '../../../agent-server/tools/web-fetch.js';
import { tempDir } from '../../helpers/env.js';
import { toolContext } from '../../helpers/tool-context.js';

const seen: { url: string; token: string | undefined }[] = [];
const tavilyCalls: { method: string; auth: string | undefined; type: string | undefined; body: unknown }[] =
  [];
/**
 * Stand-ins for SearXNG's JSON API (/search), Brave Search's (/res/v1/web/search) and Tavily's
 * (POST /tavily/search: a JSON query, the key as a bearer token).
 */
const server = http.createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/tavily/moved') {
    res.writeHead(307, { location: '/tavily/search' });
    return res.end();
  }
  if (url.pathname === '/tavily/search') {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    tavilyCalls.push({
      method: req.method ?? '',
      auth: req.headers.authorization,
      type: req.headers['content-type'],
      body: JSON.parse(body),
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(
      JSON.stringify({
        query: 'q',
        results: [{ title: 'Tavily hit', url: 'https://t.example/page', content: 'A summary.', score: 0.9 }],
      }),
    );
  }
  seen.push({ url: req.url ?? '', token: req.headers['x-subscription-token'] as string | undefined });
  res.writeHead(200, { 'content-type': 'application/json' });
  if (url.pathname === '/search') {
    return res.end(
      JSON.stringify({
        results: [
          {
            title: 'Widget docs',
            url: 'https://widgets.example/docs',
            content: 'How to <b>install</b> widgets',
          },
          { title: 'Widget FAQ', url: 'https://widgets.example/faq', content: '' },
        ],
      }),
    );
  }
  res.end(
    JSON.stringify({
      web: { results: [{ title: 'Brave hit', url: 'https://b.example/', description: 'snippet' }] },
    }),
  );
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
after(() => server.close());
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const root = await tempDir('search');

test('web_search is offered only when a provider is configured', () => {
  assert.deepEqual(
    createWebTools(WebConfigSchema.parse({})).map((t) => t.name),
    ['web_fetch'],
  );
  const config = WebConfigSchema.parse({ search: { provider: 'searxng', url: base } });
  assert.deepEqual(
    createWebTools(config).map((t) => t.name),
    ['web_fetch', 'web_search'],
  );
  assert.deepEqual(createWebTools({ ...config, enabled: false }), []);
});

test('web_search: SearXNG results as titles, addresses and snippets, marked untrusted', async () => {
  // A local SearXNG is the user's own choice: reachable without allowing private addresses.
  const config = WebConfigSchema.parse({ search: { provider: 'searxng', url: base } });
  const tool = createWebTools(config).find((t) => t.name === 'web_search')!;
  const ctx = toolContext(root);
  const result = await tool.run({ query: 'install widgets' }, ctx);
  assert.equal(ctx.asked[0]?.ruleKey, 'web_search:searxng');
  assert.match(seen.at(-1)!.url, /^\/search\?q=install\+widgets&format=json$/);
  assert.match(result.forModel, /^\[Web search results for "install widgets" \(searxng\)\. Untrusted/);
  assert.match(
    result.forModel,
    /1\. Widget docs\n {3}https:\/\/widgets\.example\/docs\n {3}How to install widgets/,
  );
  assert.match(result.forModel, /2\. Widget FAQ\n {3}https:\/\/widgets\.example\/faq$/);
});

test('web_search: Brave sends the key from the named variable; a missing key is a clear error', async () => {
  const config = WebConfigSchema.parse({
    search: { provider: 'brave', url: `${base}/res/v1/web/search`, apiKeyEnv: 'TEST_BRAVE_KEY' },
  });
  const tool = createWebTools(config, { TEST_BRAVE_KEY: 'k-123' }).find((t) => t.name === 'web_search')!;
  const result = await tool.run({ query: 'widgets' }, toolContext(root));
  assert.equal(seen.at(-1)?.token, 'k-123');
  assert.match(result.forModel, /1\. Brave hit\n {3}https:\/\/b\.example\/\n {3}snippet/);
  const keyless = createWebTools(config, {}).find((t) => t.name === 'web_search')!;
  await assert.rejects(
    keyless.run({ query: 'widgets' }, toolContext(root)),
    /needs its key in the environment variable/,
  );
});

test('web_search: Tavily gets a JSON POST with the key as a bearer token and its results are listed', async () => {
  const config = WebConfigSchema.parse({
    search: { provider: 'tavily', url: `${base}/tavily/search`, apiKeyEnv: 'TEST_TAVILY_KEY', maxResults: 3 },
  });
  const tool = createWebTools(config, { TEST_TAVILY_KEY: 'tvly-abc' }).find((t) => t.name === 'web_search')!;
  const ctx = toolContext(root);
  const result = await tool.run({ query: 'widgets howto' }, ctx);
  assert.equal(ctx.asked[0]?.ruleKey, 'web_search:tavily');
  assert.deepEqual(tavilyCalls.at(-1), {
    method: 'POST',
    auth: 'Bearer tvly-abc',
    type: 'application/json',
    body: { query: 'widgets howto', max_results: 3, search_depth: 'basic' },
  });
  assert.match(result.forModel, /\(tavily\)\. Untrusted/);
  assert.match(result.forModel, /1\. Tavily hit\n {3}https:\/\/t\.example\/page\n {3}A summary\./);
  const keyless = createWebTools(config, {}).find((t) => t.name === 'web_search')!;
  await assert.rejects(keyless.run({ query: 'w' }, toolContext(root)), /Tavily needs its key/);
  // The key and query go to the configured address only: a redirected POST is not followed.
  const moved = WebConfigSchema.parse({
    search: { provider: 'tavily', url: `${base}/tavily/moved`, apiKeyEnv: 'TEST_TAVILY_KEY' },
  });
  const calls = tavilyCalls.length;
  await assert.rejects(
    createWebTools(moved, { TEST_TAVILY_KEY: 'tvly-abc' })
      .find((t) => t.name === 'web_search')!
      .run({ query: 'w' }, toolContext(root)),
    /redirected a POST \(to \/tavily\/search\); not followed/,
  );
  assert.equal(tavilyCalls.length, calls);
});
