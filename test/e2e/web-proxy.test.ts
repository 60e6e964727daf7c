import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { startScriptedModel, type ScriptedModel } from '../fixtures/model-server.js';
import { serverJs } from '../helpers/acp-harness.js';
import { cleanEnv, tempDir } from '../helpers/env.js';
import { makePdf } from '../unit/web/make-pdf.js';
import { startLocalProxy } from '../unit/web/local-proxy.js';

// The built `cairn run` behind HTTP_PROXY: the model client (undici, bundled) and web_fetch
// (reading a PDF with the bundled pdf.js) both go through the proxy.

const pdf = makePdf([['Quarterly widget report', 'Sales went up.']], 'Widget report');
const site = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/pdf' });
  res.end(pdf);
});
await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
const pdfUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/report.pdf`;
const proxy = await startLocalProxy();
let model: ScriptedModel | undefined;
after(async () => {
  proxy.close();
  site.close();
  await model?.close();
});

test('cairn run behind HTTP_PROXY: the model and a PDF fetched by web_fetch both come through the proxy', async () => {
  model = await startScriptedModel([
    { toolCalls: [{ name: 'web_fetch', arguments: { url: pdfUrl } }] },
    { text: 'Read it.' },
  ]);
  const home = await tempDir('proxy-home');
  const repo = await tempDir('proxy-repo');
  await fs.writeFile(
    path.join(home, 'config.json'),
    JSON.stringify({ terminal: { backend: 'local' }, web: { allowPrivateHosts: ['127.0.0.1'] } }),
  );
  const child = spawn(process.execPath, [serverJs, 'run', '--yes', 'Summarise the report'], {
    cwd: repo,
    env: cleanEnv({
      CAIRN_HOME: home,
      HOME: home,
      OPENAI_BASE_URL: model.url,
      CAIRN_MODEL: 'scripted',
      OPENAI_API_KEY: 'sk-test',
      HTTP_PROXY: proxy.url,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 0, output);
  const toolResult = JSON.stringify(model.requests[1]?.messages ?? []);
  assert.match(toolResult, /PDF as text, 1 page/);
  assert.match(toolResult, /Quarterly widget report\\nSales went up\./);
  const modelPort = new URL(model.url).port;
  assert.ok(proxy.seen.includes(`GET ${pdfUrl}`), proxy.seen.join(', '));
  assert.ok(proxy.seen.includes(`CONNECT 127.0.0.1:${modelPort}`), proxy.seen.join(', '));
});
