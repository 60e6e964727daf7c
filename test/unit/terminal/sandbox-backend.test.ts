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
import { CREDENTIAL_PATHS } from '../../../agent-server/terminal/sandbox-profile.js';
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

  test('cannot read secrets folders, Cairn home or the rest of home', async () => {
    const key = await sandbox.run(spec(`cat ${path.join(userHome, '.ssh', 'id_test')}`, workspace));
    assert.notEqual(key.exitCode, 0);
    assert.doesNotMatch(key.output, /PRIVATE-KEY-MATERIAL/);
    const netrc = await sandbox.run(spec(`cat ${path.join(userHome, '.netrc')}`, workspace));
    assert.doesNotMatch(netrc.output, /NETRC-SECRET/);
    const memory = await sandbox.run(spec(`cat ${path.join(cairnHome, 'MEMORY.md')}`, workspace));
    assert.doesNotMatch(memory.output, /CAIRN-MEMORY/);
    // Home is hidden by default: only `homeReadable` entries come back.
    const notes = await sandbox.run(spec(`cat ${path.join(userHome, 'notes.txt')}`, workspace));
    assert.doesNotMatch(notes.output, /readable notes/);
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

  test('commands get no capabilities and no user namespaces, even when Cairn runs as root', async () => {
    const argv = sandbox.argv('true', workspace);
    for (const flag of ['--unshare-user', '--disable-userns']) assert.ok(argv.includes(flag), flag);
    assert.equal(argv[argv.indexOf('--cap-drop') + 1], 'ALL');
    const caps = await sandbox.run(spec('grep -E "^Cap(Eff|Prm|Bnd):" /proc/self/status', workspace));
    assert.match(caps.output, /CapEff:\s+0+\n/);
    assert.match(caps.output, /CapBnd:\s+0+\n/);
    const undo = await sandbox.run(
      spec(
        `umount ${path.join(userHome, '.ssh')}; mount -o remount,rw /; cat ${path.join(userHome, '.ssh', 'id_test')}`,
        workspace,
      ),
    );
    assert.doesNotMatch(undo.output, /PRIVATE-KEY-MATERIAL/);
  });

  test('homeReadable entries are readable and read-only; credential stores inside them stay hidden', async () => {
    await mkdir(path.join(userHome, '.config', 'gh'), { recursive: true });
    await mkdir(path.join(userHome, '.config', 'tool'), { recursive: true });
    await writeFile(path.join(userHome, '.config', 'gh', 'hosts.yml'), 'oauth_token: GH-SECRET\n');
    await writeFile(path.join(userHome, '.config', 'tool', 'settings'), 'tool settings\n');
    const exposed = new SandboxBackend({
      writable: [workspace],
      userHome,
      cairnHome,
      homeReadable: ['.config', 'notes.txt', '../outside', '.ssh/../.ssh'],
      network: () => false,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    try {
      const r = await exposed.run(
        spec(
          `cat ${userHome}/.config/tool/settings ${userHome}/notes.txt; cat ${userHome}/.config/gh/hosts.yml; ` +
            `cat ${userHome}/.ssh/id_test; echo x > ${userHome}/.config/tool/settings || echo READONLY`,
          workspace,
        ),
      );
      assert.match(r.output, /tool settings/);
      assert.match(r.output, /readable notes/);
      assert.match(r.output, /READONLY/);
      assert.doesNotMatch(r.output, /GH-SECRET|PRIVATE-KEY-MATERIAL/);
    } finally {
      await exposed.dispose();
    }
  });

  test('every credential path stays hidden when home itself is the workspace', async () => {
    const home = await mkdtemp('/var/tmp/cairn-sandbox-home-');
    const planted: string[] = [];
    for (const rel of CREDENTIAL_PATHS) {
      const file = path.join(home, rel.replaceAll('*', 'v20.0.0'), 'leak');
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, 'CREDENTIAL-MATERIAL\n');
      planted.push(file);
    }
    await writeFile(path.join(home, 'project.txt'), 'mine\n');
    const atHome = new SandboxBackend({
      writable: [home],
      userHome: home,
      cairnHome: path.join(home, '.cairn'),
      network: () => false,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    try {
      const r = await atHome.run(
        spec(`cat project.txt; for f in ${planted.join(' ')}; do cat "$f"; done`, home),
      );
      assert.match(r.output, /mine/);
      assert.doesNotMatch(r.output, /CREDENTIAL-MATERIAL/);
    } finally {
      await atHome.dispose();
      await rm(home, { recursive: true, force: true });
    }
  });

  test("a workspace inside home or inside Cairn's home is writable; the rest of Cairn's home is not visible", async () => {
    const inCairn = path.join(cairnHome, 'skills', 'my-skill');
    await mkdir(inCairn, { recursive: true });
    await mkdir(path.join(cairnHome, 'projects', 'p1'), { recursive: true });
    await writeFile(path.join(cairnHome, 'projects', 'p1', 'history.jsonl'), 'OTHER-PROJECT\n');
    const inHome = path.join(userHome, 'code', 'app');
    await mkdir(inHome, { recursive: true });
    for (const ws of [inCairn, inHome]) {
      const b = new SandboxBackend({
        writable: [ws],
        userHome,
        cairnHome,
        network: () => false,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      });
      try {
        const r = await b.run(
          spec(
            `echo made > out.txt && cat out.txt; cat ${cairnHome}/MEMORY.md ${cairnHome}/projects/p1/history.jsonl; ls ${cairnHome}`,
            ws,
          ),
        );
        assert.match(r.output, /made/);
        assert.doesNotMatch(r.output, /CAIRN-MEMORY|OTHER-PROJECT|^MEMORY\.md$|^projects$/m);
        assert.equal(await readFile(path.join(ws, 'out.txt'), 'utf8'), 'made\n');
      } finally {
        await b.dispose();
      }
    }
  });

  test('host sockets named in the environment are hidden, with network on too', async () => {
    const runtime = path.join(base, 'run-user');
    await mkdir(runtime, { recursive: true });
    const bus = path.join(runtime, 'bus');
    const docker = path.join(base, 'docker.sock');
    const servers = await Promise.all(
      [bus, docker].map(
        (p) =>
          new Promise<Server>((resolve) => {
            const srv = createServer((c) => c.end('hi\n'));
            srv.listen(p, () => resolve(srv));
          }),
      ),
    );
    const b = new SandboxBackend({
      writable: [workspace],
      userHome,
      cairnHome,
      network: () => true,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        XDG_RUNTIME_DIR: runtime,
        DOCKER_HOST: `unix://${docker}`,
      },
    });
    try {
      const connect = (p: string): string =>
        `${NODE} -e "require('net').connect('${p}').on('connect',()=>console.log('CONNECTED')).on('error',e=>console.log('FAILED '+e.code))"`;
      const r = await b.run(spec(`${connect(bus)}; ${connect(docker)}`, workspace));
      assert.doesNotMatch(r.output, /CONNECTED/);
      assert.equal((r.output.match(/FAILED/g) ?? []).length, 2, r.output);
    } finally {
      await b.dispose();
      for (const srv of servers) srv.close();
    }
  });

  test('the model key is scrubbed by its configured name and wherever its value was copied', async () => {
    const b = new SandboxBackend({
      writable: [workspace],
      userHome,
      cairnHome,
      network: () => false,
      envAllowlist: ['MY_KEY_VAR'],
      knownSecrets: { names: ['MY_KEY_VAR'], values: ['k-123456789-abcdef'] },
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        MY_KEY_VAR: 'k-123456789-abcdef',
        INNOCENT: 'k-123456789-abcdef',
        HEADER: 'Bearer k-123456789-abcdef',
        KEPT: 'visible',
      },
    });
    try {
      const r = await b.run(spec('env; cat /proc/self/environ /proc/1/environ | tr "\\0" "\\n"', workspace));
      assert.doesNotMatch(r.output, /k-123456789-abcdef|MY_KEY_VAR|INNOCENT|HEADER/);
      assert.match(r.output, /KEPT=visible/);
    } finally {
      await b.dispose();
    }
  });

  test('a missing bwrap is reported so the backend falls back with a notice', async () => {
    const reason = await probeSandbox('/nonexistent/bwrap');
    assert.match(reason ?? '', /not installed/);
    assert.equal(await probeSandbox(), undefined);
  });
});
