import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TerminalConfigSchema } from '../../../shared/config.js';
import type { CommandSpec } from '../../../agent-server/terminal/backend.js';
import { createTerminalBackend } from '../../../agent-server/terminal/index.js';
import type { SshBackend } from '../../../agent-server/terminal/ssh-backend.js';
import { eventually, processesMatching } from './harness.js';
import { sshdAvailable, startSshd, type LocalSshd } from './sshd.js';

const missing = !sshdAvailable();
if (missing && process.env.CI) throw new Error('OpenSSH server and client (and root) are required in CI.');
const skip = missing ? 'OpenSSH server/client not installed or not root' : false;
if (skip) console.log(`# skipping ssh tests: ${skip}`);

function spec(command: string, cwd: string, extra: Partial<CommandSpec> = {}): CommandSpec {
  return { command, cwd, timeoutMs: 60_000, signal: new AbortController().signal, ...extra };
}

describe('ssh backend against a local sshd', { skip }, () => {
  let sshd: LocalSshd;
  let local: string;
  let remote: string;
  let backend: SshBackend;

  before(async () => {
    sshd = await startSshd();
    local = await mkdtemp(path.join(os.tmpdir(), 'cairn-ssh-local-'));
    remote = await mkdtemp(path.join(os.tmpdir(), 'cairn-ssh-remote-'));
    await mkdir(path.join(local, 'pkg'));
    await mkdir(path.join(remote, 'pkg'));
    const config = TerminalConfigSchema.parse({
      backend: 'ssh',
      ssh: {
        host: '127.0.0.1',
        port: sshd.port,
        user: sshd.user,
        identityFile: sshd.identityFile,
        remoteWorkspace: remote,
        options: sshd.options,
      },
    });
    const created = await createTerminalBackend({
      config,
      cwd: local,
      mode: () => 'auto',
      home: '/nonexistent',
    });
    assert.equal(created.backend.name, 'ssh');
    backend = created.backend as SshBackend;
  });
  after(async () => {
    await backend.dispose();
    await sshd.stop();
    await rm(local, { recursive: true, force: true });
    await rm(remote, { recursive: true, force: true });
  });

  test('runs a command in the remote workspace and returns output and exit code', async () => {
    const result = await backend.run(
      spec('pwd; echo to-stdout; echo to-stderr >&2; echo made > made.txt; exit 7', local),
    );
    assert.equal(result.exitCode, 7, result.output);
    assert.match(result.output, new RegExp(`^${remote}$`, 'm'));
    assert.match(result.output, /to-stdout/);
    assert.match(result.output, /to-stderr/);
    assert.equal(await readFile(path.join(remote, 'made.txt'), 'utf8'), 'made\n');
  });

  test('a local subfolder maps to the same remote subfolder, and quoting survives', async () => {
    const result = await backend.run(
      spec(`pwd; printf '%s\\n' "it's \\$HOME 'quoted'"`, path.join(local, 'pkg')),
    );
    assert.equal(result.exitCode, 0, result.output);
    assert.match(result.output, new RegExp(`${remote}/pkg`));
    assert.match(result.output, /it's \$HOME 'quoted'/);
  });

  test('a timeout stops the command on the remote host too', async () => {
    const sleep = `${5000 + Math.floor(Math.random() * 4000)}.${process.pid % 1000}`;
    const result = await backend.run(
      spec(`echo begun; sleep ${sleep}; echo never`, local, { timeoutMs: 1500 }),
    );
    assert.equal(result.timedOut, true);
    assert.match(result.output, /begun/);
    assert.doesNotMatch(result.output, /never/);
    // The "remote" host is this machine: the remote sleep must not survive the connection.
    assert.ok(
      await eventually(async () => (await processesMatching(`sleep ${sleep}`)).length === 0),
      'remote orphan left',
    );
  });
});
