import { spawn, type ChildProcess } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import type { CreateTerminalRequest } from '@agentclientprotocol/sdk';
import { ByteLimitedOutput } from './output-buffer.js';

export type TerminalExit = { exitCode: number | null; signal: string | null };

/**
 * One command run for the agent (`terminal/create`): output is captured for the agent within its
 * byte limit and streamed to listeners (the VS Code pseudo-terminal the user watches).
 */
export class CommandTerminal {
  readonly buffer: ByteLimitedOutput;
  private readonly child: ChildProcess;
  private exit: TerminalExit | null = null;
  private readonly exited: Promise<TerminalExit>;
  private readonly listeners = new Set<(text: string) => void>();
  private readonly exitListeners = new Set<(exit: TerminalExit) => void>();

  constructor(
    readonly id: string,
    readonly request: CreateTerminalRequest,
    defaultCwd: string,
    baseEnv: NodeJS.ProcessEnv = process.env,
  ) {
    this.buffer = new ByteLimitedOutput(request.outputByteLimit ?? null);
    const env = commandEnvironment(baseEnv);
    for (const v of request.env ?? []) env[v.name] = v.value;
    const args = request.args ?? [];
    // Without arguments the command is a shell command line, as agents send them.
    this.child = spawn(request.command, args, {
      cwd: request.cwd ?? defaultCwd,
      env,
      shell: args.length === 0,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
    });
    const decoders = [new StringDecoder('utf8'), new StringDecoder('utf8')];
    this.child.stdout!.on('data', (d: Buffer) => this.emit(decoders[0]!.write(d)));
    this.child.stderr!.on('data', (d: Buffer) => this.emit(decoders[1]!.write(d)));
    this.exited = new Promise((resolve) => {
      this.child.on('error', (err) => {
        this.emit(`${err.message}\n`);
        this.finish({ exitCode: 127, signal: null }, resolve);
      });
      this.child.on('close', (code, signal) => {
        for (const d of decoders) this.emit(d.end());
        this.finish({ exitCode: code, signal: signal ?? null }, resolve);
      });
    });
  }

  get commandLine(): string {
    return [this.request.command, ...(this.request.args ?? [])].join(' ');
  }

  get exitStatus(): TerminalExit | null {
    return this.exit;
  }

  /** Output so far; `onData` listeners get what arrives after this. */
  onData(listener: (text: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onExit(listener: (exit: TerminalExit) => void): void {
    if (this.exit) listener(this.exit);
    else this.exitListeners.add(listener);
  }

  waitForExit(): Promise<TerminalExit> {
    return this.exited;
  }

  /** Kills the command and everything it started (it runs in its own process group). */
  kill(): void {
    if (this.exit || this.child.pid === undefined) return;
    try {
      if (process.platform !== 'win32') process.kill(-this.child.pid, 'SIGTERM');
      else this.child.kill('SIGTERM');
    } catch {
      this.child.kill('SIGTERM');
    }
  }

  private emit(text: string): void {
    if (!text) return;
    this.buffer.append(text);
    for (const l of this.listeners) l(text);
  }

  private finish(exit: TerminalExit, resolve: (e: TerminalExit) => void): void {
    if (this.exit) return;
    this.exit = exit;
    for (const l of this.exitListeners) l(exit);
    this.exitListeners.clear();
    resolve(exit);
  }
}

/** Secret-looking variables the editor's environment must not hand to the agent's commands. */
const SECRET_NAME = /(^|_)(API_?KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)($|_)/i;

/**
 * The editor's environment for an agent command, without secrets: the agent asks for any
 * variables it needs through the request's `env`.
 */
export function commandEnvironment(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) if (!SECRET_NAME.test(k)) env[k] = v;
  return env;
}
