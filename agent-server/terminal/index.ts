import * as os from 'node:os';
import type { TerminalConfig } from '../../shared/config.js';
import { ConfigError } from '../config/load.js';
import type { SessionMode } from '../permissions/policy.js';
import { createProcessTool } from '../tools/process.js';
import { createTerminalTool } from '../tools/terminal.js';
import type { ToolDefinition } from '../tools/types.js';
import type { TerminalBackend } from './backend.js';
import { BackgroundProcesses } from './background.js';
import { ClientBackend, type ClientTerminalHost } from './client-backend.js';
import type { KnownSecrets } from './env-scrub.js';
import { LocalBackend } from './local-backend.js';
import { probeSandbox, SandboxBackend } from './sandbox-backend.js';
import { SshBackend } from './ssh-backend.js';

export type { CommandResult, CommandSpec, StartedCommand, TerminalBackend } from './backend.js';
export type { KnownSecrets } from './env-scrub.js';
export type { ClientTerminalExit, ClientTerminalHandle, ClientTerminalHost } from './client-backend.js';
export { BackgroundProcess, BackgroundProcesses } from './background.js';
export { classifyCommand, loadShellSyntax, type CommandRisk, type RiskLevel } from './command-safety.js';
export { killAllOnExit } from './process-registry.js';
export { ClientBackend, LocalBackend, SandboxBackend, SshBackend };

export interface TerminalBackendOptions {
  config: TerminalConfig;
  /** The workspace root: commands start here and the sandbox lets them write only here. */
  cwd: string;
  /** Extra folders the client added to the session (also writable in the sandbox). */
  extraRoots?: readonly string[];
  mode: () => SessionMode;
  /** Cairn's home, hidden from sandboxed commands. */
  home: string;
  clientTerminal?: ClientTerminalHost;
  /** The user's home folder (hidden from sandboxed commands); defaults to os.homedir(). */
  userHome?: string;
  /** The model keys Cairn holds (`knownModelKeys`): scrubbed from every backend's environment. */
  knownSecrets?: KnownSecrets;
}

/** Probed once per process: bubblewrap's availability does not change while the server runs. */
let sandboxProbe: Promise<string | undefined> | undefined;

/**
 * Picks the backend from config. `auto` is the sandbox where bubblewrap works, else local with a
 * notice saying why (shown in `initialize` agent info and `/status`). An explicit `sandbox` that
 * cannot work is an error: the user asked for isolation, and running unsandboxed instead would
 * quietly break that promise.
 */
export async function createTerminalBackend(
  opts: TerminalBackendOptions,
): Promise<{ backend: TerminalBackend; notice?: string }> {
  const { config } = opts;
  const local = (): LocalBackend =>
    new LocalBackend({ envAllowlist: config.envAllowlist, knownSecrets: opts.knownSecrets });
  switch (config.backend) {
    case 'local':
      return { backend: local() };
    case 'client':
      if (opts.clientTerminal)
        return { backend: new ClientBackend(opts.clientTerminal, opts.knownSecrets?.names) };
      return {
        backend: await sandboxOrLocal(opts),
        notice:
          'terminal.backend is "client" but the editor does not offer terminals; using the default backend.',
      };
    case 'ssh':
      if (config.ssh)
        return {
          backend: new SshBackend(config.ssh, opts.cwd, config.envAllowlist, opts.knownSecrets),
        };
      return {
        backend: local(),
        notice: 'terminal.backend is "ssh" but terminal.ssh is not configured; commands run locally.',
      };
    case 'sandbox':
    case 'auto': {
      if (config.backend === 'sandbox') await requireSandbox();
      sandboxProbe ??= probeSandbox();
      const problem = await sandboxProbe;
      if (!problem) return { backend: sandbox(opts) };
      return {
        backend: local(),
        notice: `Commands are NOT sandboxed: ${problem}. They run as plain processes in the workspace.`,
      };
    }
  }
}

/** For `terminal.backend: "sandbox"`: a ConfigError saying why the sandbox cannot work here, if it cannot. */
export async function requireSandbox(): Promise<void> {
  sandboxProbe ??= probeSandbox();
  const problem = await sandboxProbe;
  if (problem)
    throw new ConfigError(
      `terminal.backend is "sandbox", but ${problem}. Install bubblewrap, or set "terminal": {"backend": "auto"} ` +
        'to run commands unsandboxed (with a notice) where it cannot work.',
    );
}

async function sandboxOrLocal(opts: TerminalBackendOptions): Promise<TerminalBackend> {
  sandboxProbe ??= probeSandbox();
  return (await sandboxProbe)
    ? new LocalBackend({ envAllowlist: opts.config.envAllowlist, knownSecrets: opts.knownSecrets })
    : sandbox(opts);
}

function sandbox(opts: TerminalBackendOptions): SandboxBackend {
  return new SandboxBackend({
    writable: [opts.cwd, ...(opts.extraRoots ?? [])],
    userHome: opts.userHome ?? os.homedir(),
    homeReadable: opts.config.homeReadable,
    cairnHome: opts.home,
    // Plan mode never gets network, whatever the setting.
    network: () => opts.config.network && opts.mode() !== 'plan',
    envAllowlist: opts.config.envAllowlist,
    knownSecrets: opts.knownSecrets,
  });
}

/** The model-facing `terminal` and `process` tools for one session. */
export function createTerminalTools(deps: {
  config: TerminalConfig;
  processes: BackgroundProcesses;
}): ToolDefinition[] {
  return [createTerminalTool(deps), createProcessTool(deps)] as ToolDefinition[];
}

/** Everything terminal-related one session needs, built from config. */
export interface SessionTerminal {
  backend: TerminalBackend;
  /** Set when the configured backend could not be used (e.g. the sandbox fell back to local). */
  notice?: string;
  processes: BackgroundProcesses;
  /** The `terminal` and `process` tools. */
  tools: ToolDefinition[];
  /** One line for `/status`, agent info and the system prompt (includes the notice). */
  description(): string;
  /** session/cancel: kill the session's background processes (foreground ones stop with the turn). */
  cancel(): Promise<void>;
  /** session/close: kill everything the session started and release the backend. */
  close(): Promise<void>;
}

export async function createSessionTerminal(opts: TerminalBackendOptions): Promise<SessionTerminal> {
  const { backend, notice } = await createTerminalBackend(opts);
  const processes = new BackgroundProcesses(opts.config.maxBackgroundProcesses);
  return {
    backend,
    notice,
    processes,
    tools: createTerminalTools({ config: opts.config, processes }),
    description: () => (notice ? `${backend.describe()}. ${notice}` : backend.describe()),
    cancel: () => processes.killAll(),
    close: async () => {
      await processes.killAll();
      await backend.dispose();
    },
  };
}
