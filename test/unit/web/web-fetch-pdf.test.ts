import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebConfigSchema, type WebConfig } from '../../../shared/config.js';
import { createWebFetchTool } from '../../../agent-server/tools/web-fetch.js';
import { tempDir } from '../../helpers/env.js';
import { toolContext } from '../../helpers/tool-context.js';
import { makePdf } from './make-pdf.js';

const DOC = makePdf(
  [
    ['Widget manual', 'Install the widget with make install.'],
    ['Chapter two', 'Configure it in widget.toml.'],
  ],
  'The Widget Manual',
);
const EMPTY = makePdf([[]]);
const BIG = makePdf([Array.from({ length: 40 }, (_, i) => `Line ${i} of a long page of text`)]);

const server = http.createServer((req, res) => {
  switch (req.url) {
    case '/manual.pdf':
      res.writeHead(200, { 'content-type': 'application/pdf' });
      return res.end(DOC);
    case '/download':
      res.writeHead(200); // no content type: sniffed from its first bytes
      return res.end(DOC);
    case '/scan.pdf':
      res.writeHead(200, { 'content-type': 'application/pdf' });
      return res.end(EMPTY);
    case '/big.pdf':
      res.writeHead(200, { 'content-type': 'application/pdf' });
      return res.end(BIG);
    default:
      res.writeHead(404);
      return res.end();
  }
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
after(() => server.close());
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const root = await tempDir('web-pdf');

function config(overrides: Partial<WebConfig> = {}): WebConfig {
  return WebConfigSchema.parse({ allowPrivateHosts: ['127.0.0.1'], ...overrides });
}

test('web_fetch reads a PDF as text, page by page, with its title, marked untrusted', async () => {
  const result = await createWebFetchTool(config()).run({ url: `${base}/manual.pdf` }, toolContext(root));
  assert.match(
    result.forModel,
    /^\[Web page .*\/manual\.pdf, HTTP 200, PDF as text, 2 pages\. Untrusted content/,
  );
  assert.match(result.forModel, /Title: The Widget Manual/);
  assert.match(result.forModel, /\[Page 1\]\nWidget manual\nInstall the widget with make install\./);
  assert.match(result.forModel, /\[Page 2\]\nChapter two\nConfigure it in widget\.toml\./);
});

test('web_fetch: a PDF sent without a type is recognised; one without text says so', async () => {
  const sniffed = await createWebFetchTool(config()).run({ url: `${base}/download` }, toolContext(root));
  assert.match(sniffed.forModel, /PDF as text, 2 pages/);
  const scan = await createWebFetchTool(config()).run({ url: `${base}/scan.pdf` }, toolContext(root));
  assert.match(scan.forModel, /\(The PDF has no text layer; it may be a scan\.\)/);
});

test('web_fetch: a PDF over the download cap is refused, not half-read', async () => {
  assert.ok(BIG.length > 1024);
  await assert.rejects(
    createWebFetchTool(config({ maxDownloadBytes: 1024 })).run({ url: `${base}/big.pdf` }, toolContext(root)),
    /is a PDF larger than 1 KB \(web\.maxDownloadBytes\); a PDF cut short cannot be read/,
  );
});
