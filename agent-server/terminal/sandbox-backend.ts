import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CommandResult, CommandSpec, TerminalBackend } from './backend.js';
import { scrubEnvironment, type KnownSecrets } from './env-scrub.js';
import { filesystemArgs, SOCKET_FOLDERS } from './sandbox-profile.js';
import { codeRunningReadOnlyMounts } from '../security/code-running-mounts.js';
import { RunningCommands } from './running-commands.js';
import { runSpawned } from './spawn-command.js';

export interface SandboxOptions {
  /** Folders the command may write (the workspace and any extra roots). Everything else is read-only. */
  writable: readonly string[];
  /** The user's home folder: hidden, except `homeReadable` (read-only). */
  userHome: string;
  /** Paths relative to home that stay readable (`terminal.homeReadable`); default: none. */
  homeReadable?: readonly string[];
  /** Cairn's home (memory, history, permission rules): hidden entirely. */
  cairnHome: string;
  /** Asked per command, so switching to plan mode takes effect at once. */
  network: () => boolean;
  envAllowlist?: readonly string[];
  /** The model keys Cairn holds: scrubbed from commands' environment by name and by value. */
  knownSecrets?: KnownSecrets;
  env?: NodeJS.ProcessEnv;
  bwrapPath?: string;
}

/**
 * What every sandboxed command starts from (and the probe checks): its own user namespace with
 * no capabilities, even when Cairn runs as root (so `umount` or `mount -o remount,rw` cannot undo
 * a hidden folder) and no further user namespaces; its own PID namespace (killing it kills
 * everything it started); the root filesystem read-only, fresh /dev and /proc, an empty /run.
 */
const BASE_ARGS = [
  '--unshare-user',
  '--disable-userns',
  '--cap-drop',
  'ALL',
  '--unshare-pid',
  '--unshare-ipc',
  '--unshare-uts',
  '--unshare-cgroup-try',
  '--die-with-parent',
  '--ro-bind',
  '/',
  '/',
  '--dev',
  '/dev',
  '--proc',
  '/proc',
  ...SOCKET_FOLDERS.flatMap((d) => ['--tmpfs', d]),
];

/**
 * Each command runs under bubblewrap (BASE_ARGS): the workspace read-write, a private `/tmp` (per
 * session), home hidden but for toolchains, credential stores, Cairn's home and host sockets
 * hidden, and optionally no network (which also cuts abstract Unix sockets).
 */
export class SandboxBackend implements TerminalBackend {
  readonly name = 'sandbox';
  private readonly running = new RunningCommands();
  /** The sandbox's /tmp: private to this backend (one session), shared by its commands. */
  private tmpDir: string | undefined;

  constructor(private readonly options: SandboxOptions) {}

  private privateTmp(): string {
    this.tmpDir ??= mkdtempSync(path.join(os.tmpdir(), 'cairn-sandbox-tmp-'));
    return this.tmpDir;
  }

  describe(): string {
    return `sandbox (bubblewrap, network ${this.options.network() ? 'on' : 'off'})`;
  }

  /** The bwrap command line for one command (exposed for tests and the benchmark). */
  argv(command: string, cwd: string): string[] {
    const o = this.options;
    const network = o.network();
    const args = [
      o.bwrapPath ?? 'bwrap',
      ...BASE_ARGS,
      ...filesystemArgs({
        userHome: o.userHome,
        cairnHome: o.cairnHome,
        writable: o.writable,
        homeReadable: o.homeReadable ?? [],
        privateTmp: this.privateTmp(),
        network,
        env: o.env ?? process.env,
      }),
      // After the writable binds: git hooks/config and editor task files stay read-only.
      ...codeRunningReadOnlyMounts(o.writable, o.userHome),
    ];
    if (!network) args.push('--unshare-net');
    args.push('--chdir', cwd, '--', '/bin/sh', '-c', command);
    return args;
  }

  run(spec: CommandSpec): Promise<CommandResult> {
    const env = {
      ...scrubEnvironment(
        this.options.env ?? process.env,
        this.options.envAllowlist,
        this.options.knownSecrets,
      ),
      // Home is a throw-away folder per command: tools that cache there (npm, pip, go) use /tmp instead.
      TMPDIR: '/tmp',
      XDG_CACHE_HOME: '/tmp/.cache',
      npm_config_cache: '/tmp/.npm',
      ...spec.env,
    };
    return this.running.run(spec, (s) =>
      runSpawned({ argv: this.argv(s.command, s.cwd), cwd: s.cwd, env }, s),
    );
  }

  async dispose(): Promise<void> {
    await this.running.stopAll();
    if (this.tmpDir) rmSync(this.tmpDir, { recursive: true, force: true });
    this.tmpDir = undefined;
  }
}

/**
 * Whether bubblewrap can run here (installed, and user namespaces permitted or running as root).
 * Resolves to undefined when usable, else a one-line reason for the fallback notice.
 */
export function probeSandbox(bwrapPath = 'bwrap'): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn(bwrapPath, [...BASE_ARGS, '--unshare-net', '/bin/true'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err: NodeJS.ErrnoException) =>
      resolve(
        err.code === 'ENOENT'
          ? 'bubblewrap (bwrap) is not installed; install the "bubblewrap" package to sandbox commands'
          : `bubblewrap could not start: ${err.message}`,
      ),
    );
    child.on('close', (code) =>
      resolve(code === 0 ? undefined : problemFrom(stderr.trim() || `exit ${code}`)),
    );
  });
}

function problemFrom(stderr: string): string {
  if (/Unknown option/.test(stderr))
    return `bubblewrap is too old (${stderr}); version 0.8 or newer is needed for --disable-userns`;
  return `bubblewrap cannot create a sandbox here (${stderr}); unprivileged user namespaces may be disabled (sysctl user.max_user_namespaces, kernel.unprivileged_userns_clone, or an AppArmor userns restriction)`;
}
