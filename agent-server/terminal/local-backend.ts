import type { CommandResult, CommandSpec, TerminalBackend } from './backend.js';
import { scrubEnvironment, type KnownSecrets } from './env-scrub.js';
import { RunningCommands } from './running-commands.js';
import { runSpawned } from './spawn-command.js';

export interface LocalBackendOptions {
  /** Secret-looking variables passed through anyway (config `terminal.envAllowlist`). */
  envAllowlist?: readonly string[];
  /** The model keys Cairn holds: scrubbed by name and by value. */
  knownSecrets?: KnownSecrets;
  /** Base environment (defaults to the server's). */
  env?: NodeJS.ProcessEnv;
}

/**
 * A plain child process in the workspace, with credentials scrubbed from its environment.
 * No filesystem confinement beyond the working directory: the sandbox backend is the safe one.
 */
export class LocalBackend implements TerminalBackend {
  readonly name = 'local';
  private readonly running = new RunningCommands();

  constructor(private readonly options: LocalBackendOptions = {}) {}

  describe(): string {
    return 'local (plain child process in the workspace, secrets scrubbed from the environment)';
  }

  run(spec: CommandSpec): Promise<CommandResult> {
    const env = {
      ...scrubEnvironment(
        this.options.env ?? process.env,
        this.options.envAllowlist,
        this.options.knownSecrets,
      ),
      ...spec.env,
    };
    return this.running.run(spec, (s) =>
      runSpawned({ argv: ['/bin/sh', '-c', s.command], cwd: s.cwd, env }, s),
    );
  }

  dispose(): Promise<void> {
    return this.running.stopAll();
  }
}
