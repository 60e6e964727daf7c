import * as path from 'node:path';
import { quote } from 'shell-quote';
import type { TerminalConfig } from '../../shared/config.js';
import type { CommandResult, CommandSpec, TerminalBackend } from './backend.js';
import { scrubEnvironment, type KnownSecrets } from './env-scrub.js';
import { RunningCommands } from './running-commands.js';
import { runSpawned } from './spawn-command.js';

export type SshConfig = NonNullable<TerminalConfig['ssh']>;

/**
 * The script the remote shell runs. Without a terminal, sshd does not signal a command when the
 * connection drops, so killing the local ssh client alone would orphan it on the remote host.
 * The command therefore runs in its own session (setsid) and a watchdog kills that whole group
 * once the sshd process that started us is gone. Stdin is passed through (fd 3) for `write`.
 */
export function remoteScript(command: string, dir: string, env: Record<string, string>): string {
  const exports = Object.entries(env)
    .filter(([k]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
    .map(([k, v]) => `export ${k}=${quote([v])}`);
  return [
    `cd ${quote([dir])} || exit 1`,
    ...exports,
    'exec 3<&0',
    `setsid /bin/sh -c ${quote([command])} <&3 3<&- &`,
    'job=$!',
    'exec 3<&-',
    '( while kill -0 $PPID 2>/dev/null; do sleep 1; done; kill -TERM -$job; sleep 2; kill -KILL -$job ) </dev/null >/dev/null 2>&1 &',
    'watch=$!',
    'wait $job',
    'code=$?',
    'kill $watch 2>/dev/null',
    'exit $code',
  ].join('\n');
}

/**
 * Commands run on a remote host (OpenSSH client, key-based auth only: BatchMode never
 * prompts), in the remote workspace folder that mirrors the local one.
 */
export class SshBackend implements TerminalBackend {
  readonly name = 'ssh';
  private readonly running = new RunningCommands();

  constructor(
    private readonly ssh: SshConfig,
    /** Local workspace root: a local cwd below it maps to the same place below `remoteWorkspace`. */
    private readonly localRoot: string,
    private readonly envAllowlist: readonly string[] = [],
    private readonly knownSecrets?: KnownSecrets,
  ) {}

  private get target(): string {
    return this.ssh.user ? `${this.ssh.user}@${this.ssh.host}` : this.ssh.host;
  }

  describe(): string {
    return `ssh (${this.target}:${this.ssh.remoteWorkspace}, port ${this.ssh.port})`;
  }

  remoteDir(localCwd: string): string {
    const rel = path.relative(this.localRoot, localCwd);
    if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return this.ssh.remoteWorkspace;
    return path.posix.join(this.ssh.remoteWorkspace, ...rel.split(path.sep));
  }

  argv(command: string, localCwd: string, env: Record<string, string> = {}): string[] {
    const args = ['ssh', '-T', '-p', String(this.ssh.port), '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=15'];
    if (this.ssh.identityFile) args.push('-i', this.ssh.identityFile, '-o', 'IdentitiesOnly=yes');
    for (const opt of this.ssh.options) args.push('-o', opt);
    args.push(
      '--',
      this.target,
      `exec /bin/sh -c ${quote([remoteScript(command, this.remoteDir(localCwd), env)])}`,
    );
    return args;
  }

  run(spec: CommandSpec): Promise<CommandResult> {
    // The local ssh client needs SSH_AUTH_SOCK for agent-held keys; the remote side gets only spec.env.
    const env = scrubEnvironment(process.env, [...this.envAllowlist, 'SSH_AUTH_SOCK'], this.knownSecrets);
    return this.running.run(spec, (s) =>
      runSpawned({ argv: this.argv(s.command, s.cwd, s.env), cwd: this.localRoot, env }, s),
    );
  }

  dispose(): Promise<void> {
    return this.running.stopAll();
  }
}
