/**
 * MCP end to end: a real ACP client (the SDK) drives `node dist/cairn.js acp` with MCP servers in
 * `session/new` and in Cairn's config; the scripted model chooses MCP tools. Needs `npm run build`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import {
  client,
  ndJsonStream,
  PROTOCOL_VERSION,
  type ClientConnection,
  type SessionNotification,
} from '@agentclientprotocol/sdk';
import {
  startScriptedModel,
  type ChatRequestBody,
  type ScriptedModel,
  type ScriptStep,
} from '../fixtures/model-server.js';
import {
  everythingStdio,
  faultyStdio,
  isAlive,
  startEverythingHttp,
  type RunningHttpServer,
} from '../fixtures/mcp/servers.js';

const root = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const cairnJs = path.join(root, 'dist', 'cairn.js');

const scratch = mkdtempSync(path.join(tmpdir(), 'cairn-e2e-mcp-'));
const home = path.join(scratch, 'home');
const workspace = path.join(scratch, 'workspace');
const startedFile = path.join(scratch, 'faulty-started');
const slowMarker = path.join(scratch, 'slow-marker');

let model: ScriptedModel;
let remote: RunningHttpServer;
let cairn: ChildProcess;
let connection: ClientConnection;
const updates: SessionNotification[] = [];
const permissionTitles: string[] = [];
let stderr = '';

/** What the model is asked to do, request by request; each turn pushes its steps. */
const steps: Array<(req: ChatRequestBody) => ScriptStep> = [];

function toolNames(req: ChatRequestBody): string[] {
  return (req.tools ?? []).map((t) => t.function.name);
}

function lastToolResult(req: ChatRequestBody): string {
  const tool = [...req.messages].reverse().find((m) => m.role === 'tool');
  return typeof tool?.content === 'string' ? tool.content : JSON.stringify(tool?.content);
}

function updatesText(): string {
  return JSON.stringify(updates);
}

async function prompt(sessionId: string, text: string) {
  return connection.agent.request('session/prompt', { sessionId, prompt: [{ type: 'text', text }] });
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  const until = Date.now() + 30_000;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; cairn stderr:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

before(async () => {
  assert.ok(existsSync(cairnJs), `${cairnJs} is missing: run npm run build first`);
  mkdirSync(home, { recursive: true });
  mkdirSync(workspace, { recursive: true });
  remote = await startEverythingHttp('streamableHttp');
  model = await startScriptedModel((req) => {
    const next = steps.shift();
    if (!next) throw new Error('the model was asked more than the test scripted');
    return next(req);
  });
  const faulty = faultyStdio('ok');
  writeFileSync(
    path.join(home, 'config.json'),
    JSON.stringify({
      model: { baseUrl: model.url, model: 'scripted', contextWindow: 200_000 },
      agent: { defaultMode: 'ask' },
      terminal: { backend: 'local' },
      mcpServers: { faulty: { ...faulty, env: { FAULTY_STARTED_FILE: startedFile } } },
    }),
  );
  cairn = spawn(process.execPath, [cairnJs, 'acp'], {
    cwd: workspace,
    env: { PATH: process.env.PATH ?? '', HOME: scratch, CAIRN_HOME: home },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  cairn.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const stream = ndJsonStream(
    Writable.toWeb(cairn.stdin!) as WritableStream<Uint8Array>,
    Readable.toWeb(cairn.stdout!) as ReadableStream<Uint8Array>,
  );
  connection = client({ name: 'cairn-e2e-mcp' })
    .onNotification('session/update', ({ params }) => {
      updates.push(params);
    })
    .onRequest('session/request_permission', ({ params }) => {
      permissionTitles.push(params.toolCall.title ?? '');
      const allow = params.options.find((o) => o.kind === 'allow_once')!;
      return { outcome: { outcome: 'selected', optionId: allow.optionId } };
    })
    .connect(stream);
});

after(async () => {
  if (cairn && cairn.exitCode === null) cairn.kill('SIGKILL');
  await model?.close();
  await remote?.close();
  rmSync(scratch, { recursive: true, force: true });
});

let sessionId: string;

test('initialize advertises MCP over HTTP and SSE', async () => {
  const init = await connection.agent.request('initialize', {
    protocolVersion: PROTOCOL_VERSION,
    clientCapabilities: { fs: { readTextFile: false, writeTextFile: false }, terminal: false },
  });
  assert.deepEqual(init.agentCapabilities?.mcpCapabilities, { http: true, sse: true });
});

test('session/new takes the client’s MCP servers and starts none of them yet', async () => {
  const res = await connection.agent.request('session/new', {
    cwd: workspace,
    mcpServers: [
      { name: 'everything', ...everythingStdio(), env: [] },
      { name: 'ghost', command: '/nonexistent/mcp-server', args: [], env: [] },
      { type: 'http', name: 'remote', url: remote.url, headers: [] },
    ],
  });
  sessionId = res.sessionId;
  assert.equal(existsSync(startedFile), false, 'servers start on the first prompt, not on session/new');
});

test('the model calls an MCP tool from the client and one from Cairn config; a crash does not end the session', async () => {
  steps.push(
    (req) => {
      const names = toolNames(req);
      assert.ok(names.includes('mcp__everything__echo'), names.join(', '));
      assert.ok(names.includes('mcp__faulty__destroy'), names.join(', '));
      assert.ok(names.includes('mcp__remote__get-tiny-image'), names.join(', '));
      assert.ok(!names.some((n) => n.startsWith('mcp__ghost__')));
      return { toolCalls: [{ name: 'mcp__everything__echo', arguments: { message: 'hi from acp' } }] };
    },
    (req) => {
      assert.equal(lastToolResult(req), 'Echo: hi from acp');
      return { toolCalls: [{ name: 'mcp__remote__get-tiny-image', arguments: {} }] };
    },
    (req) => {
      assert.match(lastToolResult(req), /\[image\/png image, .*\]/);
      return { toolCalls: [{ name: 'mcp__faulty__destroy', arguments: { target: 'the test' } }] };
    },
    (req) => {
      assert.equal(lastToolResult(req), 'destroyed the test');
      return { toolCalls: [{ name: 'mcp__faulty__crash', arguments: {} }] };
    },
    (req) => {
      assert.match(
        lastToolResult(req),
        /MCP server "faulty" could not run "crash": the server stopped during the call/,
      );
      return { text: 'All done.' };
    },
  );
  const result = await prompt(sessionId, 'Use the MCP tools.');
  assert.equal(result.stopReason, 'end_turn', stderr);
  assert.equal(steps.length, 0);
  assert.ok(existsSync(startedFile), 'the config server started with the first prompt');

  const echoCall = updates.find(
    (u) => u.update.sessionUpdate === 'tool_call' && u.update.title === 'Echo Tool (everything)',
  );
  assert.ok(echoCall, updatesText());
  // The server's readOnlyHint is not trusted: the call is not shown as a read (which a client may approve on its own).
  assert.equal(echoCall.update.sessionUpdate === 'tool_call' && echoCall.update.kind, 'other');
  assert.match(updatesText(), /Echo: hi from acp/);
  // The image from the HTTP server reaches the client as ACP image content.
  const imageUpdate = updates.find(
    (u) =>
      u.update.sessionUpdate === 'tool_call_update' &&
      (u.update.content ?? []).some((c) => c.type === 'content' && c.content.type === 'image'),
  );
  assert.ok(imageUpdate, updatesText());
  assert.match(updatesText(), /MCP server \\"ghost\\" failed to start: cannot run \/nonexistent\/mcp-server/);
  // Every MCP call asked in ask mode, read-only hint or not.
  assert.equal(permissionTitles.length, 4, permissionTitles.join(', '));
  assert.equal(permissionTitles[0], 'Echo Tool (everything)');
  assert.deepEqual(permissionTitles.slice(2), ['destroy (faulty)', 'crash (faulty)']);
});

test('the next prompt still works, with the crashed server back, and /status lists the servers', async () => {
  await eventually(
    () => readFileSync(startedFile, 'utf8').trim().split('\n').length >= 2,
    'the faulty server restart',
  );
  steps.push(
    (req) => {
      assert.ok(toolNames(req).includes('mcp__faulty__echo'));
      return { toolCalls: [{ name: 'mcp__faulty__echo', arguments: { message: 'again' } }] };
    },
    (req) => {
      assert.equal(lastToolResult(req), 'echo: again');
      return { text: 'Fine.' };
    },
  );
  const result = await prompt(sessionId, 'Again.');
  assert.equal(result.stopReason, 'end_turn', stderr);

  const before = updates.length;
  const status = await prompt(sessionId, '/status');
  assert.equal(status.stopReason, 'end_turn');
  const reply = JSON.stringify(updates.slice(before));
  assert.match(reply, /MCP everything \(stdio, from the client\): ready, \d+ tools/);
  assert.match(reply, /MCP faulty \(stdio, from Cairn config\): ready/);
  assert.match(reply, /MCP ghost \(stdio, from the client\): unavailable/);
  assert.match(reply, /MCP remote \(http, from the client\): ready/);
  assert.match(reply, /listed individually/);
});

test('session/cancel cancels an in-flight MCP call on the server', async () => {
  steps.push(() => ({
    toolCalls: [{ name: 'mcp__faulty__slow', arguments: { seconds: 600, markerFile: slowMarker } }],
  }));
  const running = prompt(sessionId, 'Wait a long time.');
  await eventually(() => existsSync(slowMarker), 'the slow call to start');
  await connection.agent.notify('session/cancel', { sessionId });
  const result = await running;
  assert.equal(result.stopReason, 'cancelled');
  await eventually(
    () => readFileSync(slowMarker, 'utf8').includes('cancelled'),
    'the server to see the cancellation',
  );
});

test('a second session with the same servers shares them; session/close releases its share', async () => {
  const pidsBefore = readFileSync(startedFile, 'utf8').trim().split('\n');
  const second = await connection.agent.request('session/new', { cwd: workspace, mcpServers: [] });
  steps.push(
    (req) => {
      assert.ok(toolNames(req).includes('mcp__faulty__echo'));
      assert.ok(
        !toolNames(req).some((n) => n.startsWith('mcp__everything__')),
        'client servers are per session',
      );
      return { toolCalls: [{ name: 'mcp__faulty__echo', arguments: { message: 'shared' } }] };
    },
    (req) => {
      assert.equal(lastToolResult(req), 'echo: shared');
      return { text: 'ok' };
    },
  );
  assert.equal((await prompt(second.sessionId, 'Share.')).stopReason, 'end_turn', stderr);
  assert.deepEqual(readFileSync(startedFile, 'utf8').trim().split('\n'), pidsBefore, 'no second process');
  await connection.agent.request('session/close', { sessionId: second.sessionId });
  const current = Number(pidsBefore[pidsBefore.length - 1]);
  assert.ok(isAlive(current), 'still used by the first session');
});

test('when Cairn exits, its MCP servers are stopped', async () => {
  const pids = readFileSync(startedFile, 'utf8').trim().split('\n').map(Number);
  const current = pids[pids.length - 1]!;
  assert.ok(isAlive(current));
  const exited = new Promise((resolve) => cairn.once('exit', resolve));
  cairn.stdin!.end();
  await exited;
  await eventually(() => !isAlive(current), 'the MCP server to stop');
});
