import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { serverJs } from '../../helpers/acp-harness.js';
import { cleanEnv, tempDir } from '../../helpers/env.js';

/**
 * Every config mistake and every bad endpoint a new user can make, through the built CLI:
 * each gives its own message (never "Internal error") and a non-zero exit.
 */

const closers: Array<() => Promise<void>> = [];
after(async () => {
  for (const close of closers) await close();
});

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
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

interface Case {
  name: string;
  /** config.json text, when the case needs one */
  config?: string;
  env?: () => Promise<Record<string, string>>;
  /** Every pattern must appear in stderr; `{file}` stands for the config file's path. */
  expect: Array<string | RegExp>;
}

const NGINX_404 =
  '<html>\n<head><title>404 Not Found</title></head>\n<body><center><h1>404 Not Found</h1></center><hr><center>nginx</center></body></html>\n';

const cases: Case[] = [
  {
    name: 'JSON syntax error',
    config: '{\n  "model": {\n    "preset": "ollama",\n  }\n}\n',
    expect: ['{file} is not valid JSON: line 4, column 3: Expected double-quoted property name'],
  },
  {
    name: 'unknown key',
    config: '{ "model": { "presett": "ollama" } }',
    expect: ['{file} has invalid settings', 'model.presett: unknown key; did you mean "preset"?'],
  },
  {
    name: 'unknown top-level key',
    config: '{ "termnal": { "backend": "local" } }',
    expect: ['termnal: unknown key; did you mean "terminal"?'],
  },
  {
    name: 'wrong type',
    config: '{ "model": { "maxRetries": "4" } }',
    expect: ['model.maxRetries: expected a number, got a string ("4")'],
  },
  {
    name: 'unknown preset',
    config: '{ "model": { "preset": "olama" } }',
    expect: [/model\.preset: "olama" is not one of openai, openrouter, ollama, .*; did you mean "ollama"\?/],
  },
  {
    name: 'baseUrl without http://',
    config: '{ "model": { "baseUrl": "localhost:8080/v1", "model": "m" } }',
    expect: ['model.baseUrl: must be an http:// or https:// URL', '"localhost:8080/v1"'],
  },
  {
    name: 'explicit sandbox without bubblewrap',
    config: '{ "terminal": { "backend": "sandbox" }, "model": { "preset": "ollama", "model": "m" } }',
    // bwrap is looked up on PATH: an empty PATH makes it missing.
    env: async () => ({ PATH: await tempDir('empty-path') }),
    expect: ['terminal.backend is "sandbox", but bubblewrap (bwrap) is not installed'],
  },
  {
    name: 'OPENAI_BASE_URL without http://',
    env: async () => ({ OPENAI_BASE_URL: '127.0.0.1:8080/v1', CAIRN_MODEL: 'm' }),
    expect: ['"127.0.0.1:8080/v1" (OPENAI_BASE_URL) is not an http:// or https:// URL'],
  },
  {
    name: 'an HTML page answering 200',
    env: async () => ({
      OPENAI_BASE_URL: await fixedServer(
        200,
        'text/html',
        '<!doctype html><html><body>It works!</body></html>',
      ),
      CAIRN_MODEL: 'm',
    }),
    expect: [
      /The endpoint at http:\/\/127\.0\.0\.1:\d+ answered with an HTML page, not the OpenAI API — does the base URL end in \/v1\?/,
    ],
  },
  {
    name: 'an HTML 404 (base URL missing /v1)',
    env: async () => ({ OPENAI_BASE_URL: await fixedServer(404, 'text/html', NGINX_404), CAIRN_MODEL: 'm' }),
    expect: [/answered with an HTML page \(404\), not the OpenAI API — does the base URL end in \/v1\?/],
  },
  {
    name: 'nothing listening',
    env: async () => ({ OPENAI_BASE_URL: `http://127.0.0.1:${await closedPort()}/v1`, CAIRN_MODEL: 'm' }),
    expect: [/Nothing is listening at http:\/\/127\.0\.0\.1:\d+\/v1 — is the server running\?/],
  },
];

for (const c of cases) {
  test(`cairn run: ${c.name} → its own message and a non-zero exit`, async () => {
    const home = await tempDir('cfg-home');
    const repo = await tempDir('cfg-repo');
    const file = path.join(home, 'config.json');
    if (c.config !== undefined) await fs.writeFile(file, c.config);
    const env = cleanEnv({ CAIRN_HOME: home, NO_COLOR: '1', ...(await c.env?.()) });
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [serverJs, 'run', '--yes', 'hello'],
        { cwd: repo, env, timeout: 60_000 },
        (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
      child.stdin?.end();
    });
    assert.notEqual(result.code, 0, `exit code; stderr: ${result.stderr}`);
    for (const pattern of c.expect) {
      if (typeof pattern === 'string') {
        const text = pattern.replace('{file}', file);
        assert.ok(result.stderr.includes(text), `expected ${JSON.stringify(text)} in:\n${result.stderr}`);
      } else assert.match(result.stderr, pattern);
    }
    assert.doesNotMatch(
      result.stderr,
      /Internal error|<html|nginx|\n\s+at /,
      'no internal error, page or stack',
    );
  });
}

test('ACP clients get the config problem as the error message, not "Internal error"', async () => {
  const acp = await import('@agentclientprotocol/sdk');
  const { createCairnAgent } = await import('../../../agent-server/acp/agent.js');
  const { connectInProcess } = await import('../../../agent-server/acp/rpc/index.js');
  const { loadRuntimeServices } = await import('../../../agent-server/runtime/services.js');
  const home = await tempDir('cfg-acp-home');
  await fs.writeFile(path.join(home, 'config.json'), '{ "model": { "presett": "ollama" } }');
  const { app, closeAll } = createCairnAgent({
    services: () => loadRuntimeServices(cleanEnv({ CAIRN_HOME: home })),
    facts: { terminalBackend: 'auto', mcp: { http: false, sse: false }, history: false } as never,
    log: () => {},
  });
  try {
    const error = await acp
      .client({ name: 'test' })
      .connectWith(connectInProcess(app).stream, async (ctx) => {
        await ctx.request('initialize', { protocolVersion: acp.PROTOCOL_VERSION, clientCapabilities: {} });
        return ctx.request('session/new', { cwd: home, mcpServers: [] }).then(
          () => assert.fail('session/new must fail'),
          (err: unknown) => err as { message: string },
        );
      });
    assert.match(
      error.message,
      /^.*config\.json has invalid settings:\n {2}- model\.presett: unknown key; did you mean "preset"\?/,
    );
    assert.doesNotMatch(error.message, /Internal error/);
  } finally {
    await closeAll();
  }
});
