import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CommandResult, CommandSpec, TerminalBackend } from './backend.js';
import { scrubEnvironment } from './env-scrub.js';
import { RunningCommands } from './running-commands.js';
import { runSpawned } from './spawn-command.js';

/** Folders (relative to the user's home) that hold credentials: emptied inside the sandbox. */
export const SECRET_DIRS = [
  '.ssh',
  '.aws',
  '.config/gcloud',
  '.gnupg',
  '.azure',
  '.kube',
  '.docker',
  '.password-store',
];
/** Single credential files in the user's home: replaced by an empty file inside the sandbox. */
export const SECRET_FILES = ['.netrc', '.git-credentials', '.pgpass'];

export interface SandboxOptions {
  /** Folders the command may write (the workspace and any extra roots). Everything else is read-only. */
  writable: readonly string[];
  /** The user's home folder, whose secret folders are hidden. */
  userHome: string;
  /** Cairn's home (memory, history, permission rules): hidden entirely. */
  cairnHome: string;
  /** Asked per command, so switching to plan mode takes effect at once. */
  network: () => boolean;
  envAllowlist?: readonly string[];
  env?: NodeJS.ProcessEnv;
  bwrapPath?: string;
}

function realOrSelf(p: string): string {
  try {
    return realpathSync.native(p);
  } catch {
    return path.resolve(p);
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The filesystem every sandboxed command starts from (and the probe checks): all read-only, fresh /dev and /proc. */
const BASE_MOUNTS = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc'];

/**
 * Each command runs under bubblewrap: the root filesystem read-only, the workspace read-write,
 * a private `/tmp` (per session) and `/dev` (no disks), its own PID namespace (so killing it kills everything it
 * started), secrets folders and Cairn's home hidden, and optionally no network.
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
    const args = [
      o.bwrapPath ?? 'bwrap',
      ...BASE_MOUNTS,
      // /tmp is this session's own folder, not the machine's: later commands (and background
      // ones) see what earlier ones left there; other programs' temp files stay out of reach.
      '--bind',
      this.privateTmp(),
      '/tmp',
    ];
    const writable = o.writable.map(realOrSelf);
    for (const dir of writable) args.push('--bind', dir, dir);
    // Hidden after the binds so a secret folder is hidden even when it sits inside a writable one;
    // never hide an ancestor of the workspace (the command could not reach its own files).
    const hide = (target: string, kind: 'dir' | 'file'): void => {
      if (!existsSync(target)) return;
      const real = realOrSelf(target);
      if (writable.some((w) => isInside(w, real))) return;
      const isDir = statSync(real).isDirectory();
      if (kind === 'dir' && isDir) args.push('--tmpfs', real);
      else if (kind === 'file' && !isDir) args.push('--ro-bind', '/dev/null', real);
    };
    for (const d of SECRET_DIRS) hide(path.join(o.userHome, d), 'dir');
    for (const f of SECRET_FILES) hide(path.join(o.userHome, f), 'file');
    hide(o.cairnHome, 'dir');
    args.push('--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try', '--die-with-parent');
    if (!o.network()) args.push('--unshare-net');
    args.push('--chdir', cwd, '--', '/bin/sh', '-c', command);
    return args;
  }

  run(spec: CommandSpec): Promise<CommandResult> {
    const env = {
      ...scrubEnvironment(this.options.env ?? process.env, this.options.envAllowlist),
      // The home folder is read-only: tools that cache there (npm, pip, go) use /tmp instead.
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
    const child = spawn(bwrapPath, [...BASE_MOUNTS, '--unshare-pid', '--die-with-parent', '/bin/true'], {
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
      resolve(
        code === 0
          ? undefined
          : `bubblewrap cannot create a sandbox here (${stderr.trim() || `exit ${code}`}); user namespaces may be disabled`,
      ),
    );
  });
}
