import type { CommandResult, TerminalBackend } from './backend.js';
import { BoundedOutput } from './output-buffer.js';
import { errorMessage } from '../../shared/error-message.js';

export type BackgroundStatus = 'running' | 'exited' | 'killed';

/** One command started with `background: true`. */
export class BackgroundProcess {
  readonly output = new BoundedOutput(256 * 1024, 768 * 1024);
  readonly startedAt = Date.now();
  status: BackgroundStatus = 'running';
  result: CommandResult | undefined;
  /** Characters of output already returned by `poll`. */
  private polled = 0;
  private writer: ((data: string) => Promise<void>) | undefined;
  /** Settles once the command has started (or failed to): writes wait for it. */
  private readonly started: Promise<void>;
  private markStarted!: () => void;
  private readonly controller = new AbortController();
  readonly done: Promise<CommandResult>;

  constructor(
    readonly id: string,
    readonly command: string,
    readonly cwd: string,
    backend: TerminalBackend,
  ) {
    this.started = new Promise<void>((resolve) => (this.markStarted = resolve));
    this.done = backend
      .run({
        command,
        cwd,
        timeoutMs: 0,
        signal: this.controller.signal,
        interactive: true,
        onOutput: (chunk) => this.output.append(chunk),
        onStart: (started) => {
          this.writer = started.write;
          this.markStarted();
        },
      })
      .then(
        (result) => {
          this.result = result;
          this.status = result.cancelled ? 'killed' : 'exited';
          this.markStarted();
          return result;
        },
        (err: unknown) => {
          const message = errorMessage(err);
          this.output.append(`\nCould not run the command: ${message}`);
          this.result = { exitCode: null, output: message, timedOut: false, cancelled: false };
          this.status = 'exited';
          this.markStarted();
          return this.result;
        },
      );
  }

  /** Output produced since the previous poll. */
  takeNewOutput(): string {
    const text = this.output.text();
    const total = this.output.length;
    const unseen = total - this.polled;
    this.polled = total;
    if (unseen <= 0) return '';
    return unseen >= text.length ? text : text.slice(text.length - unseen);
  }

  async write(data: string): Promise<void> {
    await this.started;
    if (this.status !== 'running') throw new Error(`Process ${this.id} has already ended.`);
    if (!this.writer) throw new Error(`Process ${this.id} does not accept input on this terminal backend.`);
    await this.writer(data);
  }

  async kill(): Promise<CommandResult> {
    this.controller.abort();
    return this.done;
  }
}

/**
 * A session's background processes. Bounded in number; all of them (whole process groups)
 * are killed when the session is cancelled or closed, and by `killAllOnExit` at server exit.
 */
export class BackgroundProcesses {
  private readonly processes = new Map<string, BackgroundProcess>();
  private nextId = 1;

  constructor(private readonly maxRunning: number) {}

  start(backend: TerminalBackend, command: string, cwd: string): BackgroundProcess {
    const running = this.list().filter((p) => p.status === 'running').length;
    if (running >= this.maxRunning) {
      throw new Error(
        `Already ${running} background processes running (the limit is ${this.maxRunning}). ` +
          'Stop one with the process tool (action "kill") or wait for one to finish.',
      );
    }
    const id = `bg${this.nextId++}`;
    const proc = new BackgroundProcess(id, command, cwd, backend);
    this.processes.set(id, proc);
    this.forgetOldFinished();
    return proc;
  }

  get(id: string): BackgroundProcess | undefined {
    return this.processes.get(id);
  }

  list(): BackgroundProcess[] {
    return [...this.processes.values()];
  }

  async killAll(): Promise<void> {
    await Promise.all(this.list().map((p) => (p.status === 'running' ? p.kill() : p.done)));
  }

  /** Keeps the list short: finished processes beyond the newest 20 are dropped. */
  private forgetOldFinished(): void {
    const finished = this.list().filter((p) => p.status !== 'running');
    for (const p of finished.slice(0, Math.max(0, finished.length - 20))) this.processes.delete(p.id);
  }
}
