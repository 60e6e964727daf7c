import { spawn, type ChildProcess } from 'node:child_process';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import { getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { withoutRepository } from './launch-policy.js';

/** Grace period between SIGTERM to the server's process group and SIGKILL. */
const KILL_GRACE_MS = 1500;
/** Bytes of a server's stderr kept to explain why it failed. */
const STDERR_TAIL_BYTES = 2000;

/** Process groups still alive, killed outright if Cairn exits without closing them. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;
function trackGroup(pid: number): void {
  liveGroups.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pgid of liveGroups) killGroup(pgid, 'SIGKILL');
  });
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already gone.
  }
}

export interface StdioLaunch {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  /** Taken out of the PATH Cairn passes on, so no program is found in the repository. */
  repositoryRoots?: readonly string[];
  /** Each line the server writes to stderr (never to Cairn's stdout, which carries JSON-RPC). */
  onStderrLine?: (line: string) => void;
}

/**
 * MCP over a child's stdin/stdout, like the SDK's `StdioClientTransport`, except the child leads
 * its own process group so closing it also stops whatever it spawned (`npx` → node, shell
 * wrappers), and its exit code and stderr tail are kept to tell the user why it stopped.
 */
export class ProcessGroupStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private child: ChildProcess | undefined;
  private readonly buffer = new ReadBuffer();
  private stderrTail = '';
  private exited: Promise<void> = Promise.resolve();
  exitDescription: string | undefined;
  /** Why Cairn stopped the server itself, when it did so outside `close()`. */
  private stoppedBecause: string | undefined;

  constructor(private readonly launch: StdioLaunch) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The last lines the server wrote to stderr, for error messages. */
  get recentStderr(): string {
    return this.stderrTail.trim();
  }

  start(): Promise<void> {
    if (this.child) throw new Error('transport already started');
    return new Promise((resolve, reject) => {
      // Only the SDK's safe default variables (PATH without the repository) plus the configured
      // ones: never Cairn's API keys, never the repository's `node_modules/.bin`.
      const inherited = withoutRepository(getDefaultEnvironment(), this.launch.repositoryRoots ?? []);
      const child = spawn(this.launch.command, this.launch.args, {
        env: { ...inherited, ...this.launch.env },
        cwd: this.launch.cwd,
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
      });
      this.child = child;
      let spawned = false;
      this.exited = new Promise((done) => child.once('close', () => done()));
      child.once('spawn', () => {
        spawned = true;
        if (child.pid) trackGroup(child.pid);
        resolve();
      });
      child.once('error', (error) => {
        if (!spawned) reject(new Error(`cannot run ${this.launch.command}: ${error.message}`));
        else this.onerror?.(error);
      });
      child.once('close', (code, signal) => {
        if (child.pid) {
          // The leader is gone: whatever it spawned must not linger as orphans.
          killGroup(child.pid, 'SIGKILL');
          liveGroups.delete(child.pid);
        }
        this.exitDescription =
          this.stoppedBecause ?? (signal ? `killed by ${signal}` : `exited with code ${code}`);
        this.child = undefined;
        if (spawned) this.onclose?.();
      });
      child.stdin?.on('error', (error) => this.onerror?.(error));
      child.stdout?.on('data', (chunk: Buffer) => {
        try {
          this.buffer.append(chunk);
        } catch (error) {
          // A line longer than the SDK's limit: the stream cannot be resynchronised; stop the server.
          this.onerror?.(error instanceof Error ? error : new Error(String(error)));
          this.stoppedBecause = 'stopped by Cairn: it wrote an oversized message to stdout';
          void this.close();
          return;
        }
        for (;;) {
          let message: JSONRPCMessage | null;
          try {
            message = this.buffer.readMessage();
          } catch (error) {
            // A line that is not JSON-RPC (a stray log line): report and keep reading.
            this.onerror?.(error instanceof Error ? error : new Error(String(error)));
            continue;
          }
          if (message === null) break;
          this.onmessage?.(message);
        }
      });
      let partial = '';
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (text: string) => {
        this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL_BYTES);
        const lines = (partial + text).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) if (line.trim()) this.launch.onStderrLine?.(line);
      });
    });
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin || stdin.destroyed) throw new Error('MCP server is not running');
    if (!stdin.write(serializeMessage(message))) {
      await new Promise<void>((resolve) => stdin.once('drain', resolve));
    }
  }

  /** Stops the whole process group: SIGTERM, then SIGKILL after a grace period. */
  async close(): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    const pgid = child.pid;
    child.stdin?.end();
    killGroup(pgid, 'SIGTERM');
    const timer = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), KILL_GRACE_MS).unref(),
    );
    if ((await Promise.race([this.exited, timer])) === 'timeout') killGroup(pgid, 'SIGKILL');
    // Children that outlive the leader keep the group alive: make sure none remain.
    killGroup(pgid, 'SIGKILL');
    liveGroups.delete(pgid);
    await this.exited;
  }
}
