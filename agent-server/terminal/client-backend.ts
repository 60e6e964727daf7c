import type { CommandResult, CommandSpec, TerminalBackend } from './backend.js';

/**
 * What an ACP client's terminal offers (`terminal/create` and friends), without the ACP SDK:
 * the ACP adapter implements this over the SDK's TerminalHandle.
 */
export interface ClientTerminalHost {
  create(request: {
    command: string;
    args?: string[];
    cwd: string;
    env?: { name: string; value: string }[];
    /** The client keeps at most this many bytes (from the end). */
    outputByteLimit?: number;
  }): Promise<ClientTerminalHandle>;
}

export interface ClientTerminalExit {
  exitCode?: number | null;
  signal?: string | null;
}

export interface ClientTerminalHandle {
  /** The ACP terminal id, embedded in tool call content so the editor shows it live. */
  readonly id: string;
  currentOutput(): Promise<{ output: string; truncated: boolean; exitStatus?: ClientTerminalExit | null }>;
  waitForExit(): Promise<ClientTerminalExit>;
  kill(): Promise<void>;
  release(): Promise<void>;
}

const POLL_MS = 250;
const OUTPUT_BYTE_LIMIT = 1024 * 1024;

/** Commands run in the editor's own terminal, so the user watches them there. */
export class ClientBackend implements TerminalBackend {
  readonly name = 'client';
  private readonly live = new Set<ClientTerminalHandle>();

  constructor(
    private readonly host: ClientTerminalHost,
    /**
     * Cairn's key variables: the editor's terminal has the editor's environment, which Cairn
     * cannot scrub, so these are set empty there (ACP can set variables, not remove them).
     */
    private readonly blankVariables: readonly string[] = [],
  ) {}

  describe(): string {
    return "client (commands run in the editor's terminal)";
  }

  async run(spec: CommandSpec): Promise<CommandResult> {
    if (spec.signal.aborted) return { exitCode: null, output: '', timedOut: false, cancelled: true };
    const handle = await this.host.create({
      command: '/bin/sh',
      args: ['-c', spec.command],
      cwd: spec.cwd,
      env: Object.entries({
        ...Object.fromEntries(this.blankVariables.map((n) => [n, ''])),
        ...spec.env,
      }).map(([name, value]) => ({ name, value })),
      outputByteLimit: OUTPUT_BYTE_LIMIT,
    });
    this.live.add(handle);
    spec.onStart?.({ terminalId: handle.id });
    let timedOut = false;
    let cancelled = false;
    let seen = 0;
    const poll = setInterval(() => {
      handle.currentOutput().then(
        ({ output }) => {
          // The client trims from the front once over the limit: only forward what is new.
          if (output.length > seen) spec.onOutput?.(output.slice(seen));
          seen = output.length;
        },
        () => undefined,
      );
    }, POLL_MS);
    const stop = (why: 'timeout' | 'cancel') => (): void => {
      if (why === 'timeout') timedOut = true;
      else cancelled = true;
      handle.kill().catch((err: unknown) => console.error('[terminal] client kill failed:', err));
    };
    const onAbort = stop('cancel');
    spec.signal.addEventListener('abort', onAbort, { once: true });
    const timer = spec.timeoutMs > 0 ? setTimeout(stop('timeout'), spec.timeoutMs) : undefined;
    try {
      const exit = await handle.waitForExit();
      const final = await handle.currentOutput();
      return {
        exitCode: exit.exitCode ?? null,
        signal: exit.signal ?? undefined,
        output: final.output,
        outputTruncated: final.truncated,
        timedOut,
        cancelled,
        terminalId: handle.id,
      };
    } finally {
      clearInterval(poll);
      clearTimeout(timer);
      spec.signal.removeEventListener('abort', onAbort);
      this.live.delete(handle);
      await handle.release().catch((err: unknown) => console.error('[terminal] client release failed:', err));
    }
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.live].map((h) => h.kill().catch(() => undefined)));
  }
}
