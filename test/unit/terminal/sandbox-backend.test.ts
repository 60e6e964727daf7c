import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TerminalConfigSchema } from '../../../shared/config.js';
import type { CommandSpec } from '../../../agent-server/terminal/backend.js';
import { createTerminalBackend } from '../../../agent-server/terminal/index.js';
import { probeSandbox, SandboxBackend } from '../../../agent-server/terminal/sandbox-backend.js';
import { eventually, processesMatching } from './harness.js';

const bwrapMissing = spawnSync('bwrap', ['--version']).error !== undefined;
if (bwrapMissing && process.env.CI)
  throw new Error('bubblewrap (bwrap) is required in CI but is not installed.');
const skip = bwrapMissing ? 'bubblewrap (bwrap) is not installed' : false;
if (skip) console.log(`# skipping sandbox tests: ${skip}`);

function spec(command: string, cwd: string, extra: Partial<CommandSpec> = {}): CommandSpec {
  return { command, cwd, timeoutMs: 60_000, signal: new AbortController().signal, ...extra };
}

const NODE = process.execPath;
const connectScript = (port: number): string =>
  `${NODE} -e "require('net').connect(${port},'127.0.0.1').on('connect',()=>{console.log('CONNECTED');process.exit(0)}).on('error',e=>{console.log('FAILED '+e.code);process.exit(1)})"`;

describe('sandbox backend (bubblewrap)', { skip }, () => {
  // Outside /tmp on purpose: the sandbox's private /tmp would hide these for the wrong reason.
  let base: string;
  let workspace: string;
  let outside: string;
  let userHome: string;
  let cairnHome: string;
  let server: Server;
  let port: number;
  let network = true;
  let sandbox: SandboxBackend;

  before(async () => {
    base = await mkdtemp('/var/tmp/cairn-sandbox-test-');
    workspace = path.join(base, 'workspace');
    outside = path.join(base, 'outside');
    userHome = path.join(base, 'home');
    cairnHome = path.join(userHome, '.cairn');
    await mkdir(workspace, { recursive: true });
    await mkdir(outside);
    await mkdir(path.join(userHome, '.ssh'), { recursive: true });
    await writeFile(path.join(userHome, '.ssh', 'id_test'), 'PRIVATE-KEY-MATERIAL\n');
    await writeFile(path.join(userHome, '.netrc'), 'machine x password NETRC-SECRET\n');
    await writeFile(path.join(userHome, 'notes.txt'), 'readable notes\n');
    await mkdir(cairnHome, { recursive: true });
    await writeFile(path.join(cairnHome, 'MEMORY.md'), 'CAIRN-MEMORY\n');
    server = createServer((socket) => {
      socket.on('error', () => undefined); // clients exit without closing politely
      socket.end('hi\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
    sandbox = new SandboxBackend({
      writable: [workspace],
      userHome,
      cairnHome,
      network: () => network,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', OPENAI_API_KEY: 'sk-should-not-leak' },
    });
  });
  after(async () => {
    await sandbox.dispose();
    server.close();
    await rm(base, { recursive: true, force: true });
  });

  test('cannot create a file outside the workspace', async () => {
    const target = path.join(outside, 'escaped.txt');
    const result = await sandbox.run(spec(`echo x > ${target}`, workspace));
    assert.notEqual(result.exitCode, 0);
    assert.match(result.output, /Read-only file system/);
    assert.ok(!existsSync(target));
    // /tmp is private: what a command writes there never reaches the real /tmp,
    // but the session's later commands see it.
    const marker = `/tmp/cairn-sandbox-marker-${process.pid}`;
    const tmp = await sandbox.run(spec(`echo kept > ${marker}`, workspace));
    assert.equal(tmp.exitCode, 0);
    assert.ok(!existsSync(marker));
    const later = await sandbox.run(spec(`cat ${marker}`, workspace));
    assert.match(later.output, /kept/);
  });

  test('cannot read secrets folders or Cairn home, but can read the rest of home', async () => {
    const key = await sandbox.run(spec(`cat ${path.join(userHome, '.ssh', 'id_test')}`, workspace));
    assert.notEqual(key.exitCode, 0);
    assert.doesNotMatch(key.output, /PRIVATE-KEY-MATERIAL/);
    const netrc = await sandbox.run(spec(`cat ${path.join(userHome, '.netrc')}`, workspace));
    assert.doesNotMatch(netrc.output, /NETRC-SECRET/);
    const memory = await sandbox.run(spec(`cat ${path.join(cairnHome, 'MEMORY.md')}`, workspace));
    assert.doesNotMatch(memory.output, /CAIRN-MEMORY/);
    const notes = await sandbox.run(spec(`cat ${path.join(userHome, 'notes.txt')}`, workspace));
    assert.match(notes.output, /readable notes/);
    const env = await sandbox.run(spec('echo "key=[$OPENAI_API_KEY]"', workspace));
    assert.match(env.output, /key=\[\]/);
  });

  test('with network off a loopback server outside is unreachable; with it on, reachable', async () => {
    network = true;
    const on = await sandbox.run(spec(connectScript(port), workspace));
    assert.match(on.output, /CONNECTED/);
    network = false;
    const off = await sandbox.run(spec(connectScript(port), workspace));
    assert.match(off.output, /FAILED/);
    assert.notEqual(off.exitCode, 0);
    network = true;
  });

  test('inside the workspace it builds and tests normally', async () => {
    await writeFile(
      path.join(workspace, 'build.js'),
      "require('fs').mkdirSync('dist',{recursive:true});require('fs').writeFileSync('dist/out.txt','built');",
    );
    await writeFile(
      path.join(workspace, 'check.js'),
      "process.exit(require('fs').readFileSync('dist/out.txt','utf8')==='built'?0:1)",
    );
    await writeFile(
      path.join(workspace, 'package.json'),
      JSON.stringify({
        name: 'sbx',
        version: '1.0.0',
        scripts: { build: 'node build.js', test: 'node check.js' },
      }),
    );
    const result = await sandbox.run(
      spec(
        'npm install --offline --no-audit --no-fund && npm run build && npm test && git init -q . && git add -A && echo PASS',
        workspace,
      ),
    );
    assert.equal(result.exitCode, 0, result.output);
    assert.match(result.output, /PASS/);
    assert.equal(await readFile(path.join(workspace, 'dist', 'out.txt'), 'utf8'), 'built');
  });

  test('cancellation kills everything the command started (its own PID namespace)', async () => {
    const controller = new AbortController();
    const sleep = `${4000 + Math.floor(Math.random() * 5000)}.${process.pid % 1000}`;
    const running = sandbox.run(
      // One child escapes the process group with setsid: the PID namespace still takes it down.
      spec(`sleep ${sleep} & setsid sh -c "sleep ${sleep}" & sh -c "sleep ${sleep}" & wait`, workspace, {
        signal: controller.signal,
      }),
    );
    assert.ok(await eventually(async () => (await processesMatching(`sleep ${sleep}`)).length >= 3));
    controller.abort();
    const result = await running;
    assert.equal(result.cancelled, true);
    assert.ok(
      await eventually(async () => (await processesMatching(`sleep ${sleep}`)).length === 0),
      'orphans left',
    );
  });

  test('plan mode forces the network off through createTerminalBackend', async () => {
    let mode: 'plan' | 'auto' = 'auto';
    const { backend, notice } = await createTerminalBackend({
      config: TerminalConfigSchema.parse({ backend: 'auto', network: true }),
      cwd: workspace,
      mode: () => mode,
      home: cairnHome,
      userHome,
    });
    assert.equal(notice, undefined);
    assert.equal(backend.name, 'sandbox');
    assert.match(backend.describe(), /network on/);
    mode = 'plan';
    assert.match(backend.describe(), /network off/);
    const off = await backend.run(spec(connectScript(port), workspace));
    assert.match(off.output, /FAILED/);
    await backend.dispose();
  });

  test('a missing bwrap is reported so the backend falls back with a notice', async () => {
    const reason = await probeSandbox('/nonexistent/bwrap');
    assert.match(reason ?? '', /not installed/);
    assert.equal(await probeSandbox(), undefined);
  });
});
