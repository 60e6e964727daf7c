/**
 * Where commands run. The terminal tool knows only this interface; backends
 * (local, sandbox, ssh, the ACP client's terminal) are chosen from config and client capabilities.
 */
export interface CommandSpec {
  command: string;
  /** Absolute working directory, already confined to the workspace. */
  cwd: string;
  /** 0 means no timeout (background processes, stopped by `signal`). */
  timeoutMs: number;
  signal: AbortSignal;
  /** Output as it arrives (stdout and stderr interleaved), for live display. */
  onOutput?: (chunk: string) => void;
  /** Extra environment for this command. */
  env?: Record<string, string>;
  /** Keep stdin open so `StartedCommand.write` can feed it (background processes). Else stdin is empty. */
  interactive?: boolean;
  /** Called once the command has started. */
  onStart?: (started: StartedCommand) => void;
}

export interface StartedCommand {
  /** ACP terminal id when the client runs the command: embed it in the tool call right away. */
  terminalId?: string;
  /** Feeds stdin; present only for `interactive` commands on backends that can. */
  write?: (data: string) => Promise<void>;
}

export interface CommandResult {
  /** null when killed by a signal or timed out */
  exitCode: number | null;
  signal?: string;
  /** Combined stdout+stderr; backends may cap what they keep (see `outputTruncated`). */
  output: string;
  timedOut: boolean;
  cancelled: boolean;
  /** The backend dropped some output (its own cap); the tool adds its own head+tail truncation. */
  outputTruncated?: boolean;
  /** ACP terminal id when the client ran it (so the client can embed it). */
  terminalId?: string;
}

export interface TerminalBackend {
  readonly name: string;
  /** One line for `/status` and agent info, e.g. "sandbox (bubblewrap, network on)". */
  describe(): string;
  run(spec: CommandSpec): Promise<CommandResult>;
  /** Kill everything still running (session close, server exit). */
  dispose(): Promise<void>;
}
