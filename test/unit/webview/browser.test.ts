/// <reference types="node" />
// The bundled panel in real Chromium, under the CSP the extension host sends
// (scripts by nonce only, styles from files only): no CSP violation, the
// windowed list slides with real layout and scrolling, and streaming keeps the
// view pinned to the bottom.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { JSONRPCClient, JSONRPCServer, JSONRPCServerAndClient } from 'json-rpc-2.0';
import { agentText, longTranscript, readyResult } from './fixtures.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const root = new URL('../../../', import.meta.url).pathname;

function unavailable(): string | null {
  if (existsSync(CHROMIUM)) return null;
  const reason = `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
  if (process.env.CI) throw new Error(`webview browser test: ${reason}`);
  return reason;
}

const skip = unavailable();
if (skip) console.log(`# skipping the webview browser test: ${skip}`);

const NONCE = 'dGVzdC1ub25jZS0xMjM0NQ==';
const CSP = [
  "default-src 'none'",
  "img-src 'self' data:",
  "style-src 'self'",
  "font-src 'self'",
  `script-src 'nonce-${NONCE}'`,
].join('; ');

// Stands in for VS Code's webview bootstrap: `acquireVsCodeApi` posting to the test.
const VSCODE_STUB = `
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
let saved;
window.acquireVsCodeApi = () => ({
  postMessage: (m) => window.__toHost(JSON.stringify(m)),
  getState: () => saved,
  setState: (s) => { saved = s; },
});`;

// VS Code injects its theme as --vscode-* variables; a small dark theme here.
const THEME = `:root { --vscode-foreground: #cccccc; --vscode-editor-background: #1e1e1e;
  --vscode-font-family: sans-serif; --vscode-font-size: 13px; --vscode-focusBorder: #007fd4;
  --vscode-textLink-foreground: #3794ff; --vscode-button-background: #0e639c; --vscode-button-foreground: #ffffff; }`;

let server: Server;
let browser: Browser;
let base = '';

before(async () => {
  if (skip) return;
  const bundle = await build({
    entryPoints: [join(root, 'extension/webview/main.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  const files: Record<string, [string, string]> = {
    '/': [
      'text/html',
      `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<link rel="stylesheet" href="/theme.css"><link rel="stylesheet" href="/webview.css"></head>
<body><div id="app"></div>
<script nonce="${NONCE}" src="/vscode-stub.js"></script>
<script nonce="${NONCE}" src="/webview.js"></script></body></html>`,
    ],
    '/theme.css': ['text/css', THEME],
    '/webview.css': ['text/css', readFileSync(join(root, 'extension/webview/styles.css'), 'utf8')],
    '/vscode-stub.js': ['text/javascript', VSCODE_STUB],
    '/webview.js': ['text/javascript', bundle.outputFiles[0]!.text],
  };
  server = createServer((req, res) => {
    const file = files[req.url ?? ''];
    if (!file) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file[0] }).end(file[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
});

/** Opens the panel with a JSON-RPC host in this process answering `ready`. */
async function openPanel(
  ready = readyResult(),
): Promise<{ page: Page; notify: (method: string, params: unknown) => void }> {
  const page = await browser.newPage({ viewport: { width: 420, height: 700 } });
  const peer = new JSONRPCServerAndClient(
    new JSONRPCServer(),
    new JSONRPCClient((payload) => void page.evaluate((m) => window.postMessage(m, '*'), payload)),
  );
  peer.addMethod('ready', () => ready);
  await page.exposeFunction(
    '__toHost',
    (json: string) => void peer.receiveAndSend(JSON.parse(json), undefined, undefined),
  );
  await page.goto(base + '/');
  await page.waitForSelector('.header .title');
  return { page, notify: (method, params) => peer.notify(method, params, undefined) };
}

test('the panel runs under the strict CSP without a single violation', { skip: skip ?? false }, async () => {
  const { page, notify } = await openPanel(readyResult({ transcript: longTranscript(40) }));
  notify(
    'session/update',
    agentText('```ts\nconst a = 1;\n```\n<p style="color:red" onclick="x()">raw</p>', 'new'),
  );
  await page.waitForSelector('.msg-agent .hljs-keyword');
  const violations = await page.evaluate(
    () => (window as unknown as { __violations: string[] }).__violations,
  );
  assert.deepEqual(violations, []);
  const color = await page.evaluate(
    () => getComputedStyle(document.querySelector('.markdown a, .msg-agent')!).color,
  );
  assert.equal(color, 'rgb(204, 204, 204)', 'text takes the theme foreground');
  await page.close();
});

test(
  '2,000 messages: bounded DOM, and scrolling up slides the window with real layout',
  { skip: skip ?? false },
  async () => {
    const { page } = await openPanel(readyResult({ transcript: longTranscript(2000) }));
    await page.waitForSelector('.msg');
    const initial = await page.evaluate(() => ({
      messages: document.querySelectorAll('.msg').length,
      last: document.querySelector('.list-content')!.lastElementChild!.textContent,
      atBottom: (() => {
        const l = document.querySelector('.message-list')!;
        return l.scrollHeight - l.scrollTop - l.clientHeight < 2;
      })(),
    }));
    assert.ok(initial.messages <= 60, `${initial.messages} messages in the DOM`);
    assert.match(initial.last ?? '', /Answer 1999/);
    assert.equal(initial.atBottom, true, 'opens at the newest message');

    // Scroll to the top a few times, as a user dragging the scrollbar would.
    for (let i = 0; i < 3; i++) {
      await page.evaluate(() => {
        document.querySelector('.message-list')!.scrollTop = 0;
      });
      await page.waitForTimeout(50);
    }
    const after = await page.evaluate(() => ({
      messages: document.querySelectorAll('.msg').length,
      first: document.querySelector('.list-content')!.firstElementChild!.textContent,
    }));
    assert.ok(after.messages <= 60, `${after.messages} messages in the DOM after scrolling back`);
    const firstIndex = Number(
      /Question (\d+)|Answer (\d+)/
        .exec(after.first ?? '')
        ?.slice(1)
        .find(Boolean),
    );
    assert.ok(firstIndex < 1940, `scrolled back to message ${firstIndex}`);
    await page.close();
  },
);

test('streaming keeps the view pinned to the newest text', { skip: skip ?? false }, async () => {
  const { page, notify } = await openPanel(readyResult({ transcript: longTranscript(100) }));
  for (let i = 0; i < 40; i++) notify('session/update', agentText(`line ${i}\n\n`, 'streaming'));
  await page.waitForFunction(() =>
    /line 39/.test(document.querySelector('.list-content')!.lastElementChild!.textContent ?? ''),
  );
  await page.waitForTimeout(50);
  const gap = await page.evaluate(() => {
    const l = document.querySelector('.message-list')!;
    return l.scrollHeight - l.scrollTop - l.clientHeight;
  });
  assert.ok(gap < 2, `bottom gap ${gap}px`);
  await page.close();
});
