import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const SSHD = '/usr/sbin/sshd';

/** Whether a local sshd can be started (OpenSSH server and client installed, running as root). */
export function sshdAvailable(): boolean {
  return (
    existsSync(SSHD) &&
    spawnSync('ssh', ['-V']).error === undefined &&
    spawnSync('ssh-keygen', ['-?']).error === undefined &&
    process.getuid?.() === 0
  );
}

export interface LocalSshd {
  port: number;
  user: string;
  identityFile: string;
  /** ssh -o options for a throwaway host key. */
  options: string[];
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** Starts `sshd -D` on a loopback port with a temp host key; root may log in with a temp key only. */
export async function startSshd(): Promise<LocalSshd> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cairn-sshd-'));
  const keygen = (file: string): void => {
    const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
  };
  keygen(path.join(dir, 'host_key'));
  keygen(path.join(dir, 'client_key'));
  await writeFile(path.join(dir, 'authorized_keys'), await readFile(path.join(dir, 'client_key.pub')));
  await chmod(path.join(dir, 'authorized_keys'), 0o600);
  await mkdir('/run/sshd', { recursive: true }); // privilege separation directory sshd insists on
  const port = await freePort();
  const config = [
    `ListenAddress 127.0.0.1`,
    `HostKey ${path.join(dir, 'host_key')}`,
    `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    'UsePAM no',
    'StrictModes no',
    `PidFile ${path.join(dir, 'sshd.pid')}`,
  ].join('\n');
  await writeFile(path.join(dir, 'sshd_config'), config + '\n');
  const child: ChildProcess = spawn(
    SSHD,
    ['-D', '-e', '-f', path.join(dir, 'sshd_config'), '-p', String(port)],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (log += d));
  for (let i = 0; i < 100 && !(await accepting(port)); i++) {
    if (child.exitCode !== null) throw new Error(`sshd exited: ${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!(await accepting(port))) throw new Error(`sshd did not start listening: ${log}`);
  return {
    port,
    user: 'root',
    identityFile: path.join(dir, 'client_key'),
    options: ['StrictHostKeyChecking=no', 'UserKnownHostsFile=/dev/null', 'LogLevel=ERROR'],
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
