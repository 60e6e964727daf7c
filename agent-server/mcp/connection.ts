import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { transportName, type McpServerConfig } from './server-config.js';
import { errorMessage } from '../../shared/error-message.js';

type SdkRuntime = typeof import('./sdk-runtime.js');
let sdk: SdkRuntime | undefined;
let loadingSdk: Promise<SdkRuntime> | undefined;
/** Loads the MCP SDK on the first server start (see sdk-runtime.ts). */
function loadSdk(): Promise<SdkRuntime> {
  loadingSdk ??= import('./sdk-runtime.js').then((mod) => (sdk = mod));
  return loadingSdk;
}
/** The SDK, once a server has started; every caller below runs after `connect()` loaded it. */
function rt(): SdkRuntime {
  if (!sdk) throw new Error('MCP SDK used before a server started');
  return sdk;
}

export type ConnectionState = 'idle' | 'starting' | 'ready' | 'failed' | 'closed';

export interface McpConnectionOptions {
  config: McpServerConfig;
  /** Name used in log lines (sessions may know the same server under other names). */
  label: string;
  startupTimeoutMs: number;
  callTimeoutMs: number;
  log: (message: string) => void;
  /** A stdio server's working folder when its config names none: never the repository. */
  workingFolder?: string;
  /** Folders a stdio server must not find programs or modules in (the session's repository). */
  repositoryRoots?: readonly string[];
}

/** Restarts after a crash wait 1 s, 2 s, 4 s … up to this. */
const MAX_BACKOFF_MS = 30_000;
/** Crashes in a row restarted automatically; after that the next prompt retries. */
const MAX_AUTO_RESTARTS = 5;
/** A server up this long before it died counts as healthy: its backoff starts over. */
const HEALTHY_UPTIME_MS = 60_000;

const CLIENT_INFO = { name: 'cairn', version: '0.1.0' };

function backoffMs(failures: number): number {
  return Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.max(0, failures - 1));
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}s`;
}

/**
 * One MCP server: starts it, keeps its tool list, restarts it with backoff when it dies, and
 * stops it (its whole process group) on close. Shared by every session using the same config.
 */
export class McpConnection {
  state: ConnectionState = 'idle';
  tools: Tool[] = [];
  lastError: string | undefined;
  /** Bumped on every unexpected stop, so sessions can tell the user once per crash. */
  crashes = 0;
  /** How the last unexpected stop looked, e.g. `stopped unexpectedly (exited with code 3)`. */
  lastCrash: string | undefined;
  private failures = 0;
  private nextAttemptAt = 0;
  private readySince = 0;
  private client: Client | undefined;
  private transport: Transport | undefined;
  private starting: Promise<void> | undefined;
  /** The client of a start in progress, so closing need not wait out the startup timeout. */
  private connecting: Client | undefined;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: McpConnectionOptions) {}

  get transportKind(): 'stdio' | 'http' | 'sse' {
    return transportName(this.options.config);
  }

  /** Milliseconds until the next start attempt is allowed (0 when it may start now). */
  get retryInMs(): number {
    return Math.max(0, this.nextAttemptAt - Date.now());
  }

  /**
   * Resolves once the server is ready, starting it if it is idle or its backoff has passed.
   * Rejects with the reason it is not available.
   */
  ensureReady(): Promise<void> {
    switch (this.state) {
      case 'ready':
        return Promise.resolve();
      case 'starting':
        return this.starting!;
      case 'closed':
        return Promise.reject(new Error('the server was shut down'));
      case 'failed':
        if (this.retryInMs > 0) {
          return Promise.reject(new Error(`${this.lastError} (next attempt in ${seconds(this.retryInMs)})`));
        }
        return this.start();
      case 'idle':
        return this.start();
    }
  }

  async callTool(
    name: string,
    args: Record<string, unknown>,
    options: {
      signal: AbortSignal;
      onProgress?: (progress: number, total?: number, message?: string) => void;
    },
  ): Promise<CallToolResult> {
    if (this.state === 'starting') await this.starting;
    const client = this.client;
    if (this.state !== 'ready' || !client) {
      throw new Error(`the server is not running: ${this.lastError ?? this.state}`);
    }
    const timeout = this.options.callTimeoutMs;
    try {
      const result = await client.callTool({ name, arguments: args }, undefined, {
        signal: options.signal,
        timeout,
        onprogress: options.onProgress
          ? (p) => options.onProgress!(p.progress, p.total, p.message as string | undefined)
          : undefined,
      });
      return result as CallToolResult;
    } catch (error) {
      if (options.signal.aborted) throw error;
      if (error instanceof rt().McpError && error.code === rt().ErrorCode.RequestTimeout) {
        throw new Error(`no answer within ${seconds(timeout)} (the call timeout)`);
      }
      if (error instanceof rt().McpError && error.code === rt().ErrorCode.ConnectionClosed) {
        throw new Error(`the server stopped during the call (${this.lastError ?? 'connection closed'})`);
      }
      if (this.transportKind !== 'stdio' && !(error instanceof rt().McpError)) {
        // A remote server that restarted or went away: its session is gone, so reconnect.
        this.onConnectionLost(client, `lost its connection (${errorMessage(error)})`);
        throw new Error(
          `the server could not be reached (${errorMessage(error)}); Cairn reconnects with backoff`,
        );
      }
      throw error;
    }
  }

  async close(): Promise<void> {
    this.state = 'closed';
    clearTimeout(this.restartTimer);
    await this.connecting?.close().catch(() => undefined);
    await this.starting?.catch(() => undefined);
    await this.disconnect();
  }

  private start(): Promise<void> {
    clearTimeout(this.restartTimer);
    this.state = 'starting';
    this.starting = this.connect().then(
      () => {
        if (this.state === 'closed') return;
        this.state = 'ready';
        this.lastError = undefined;
        this.readySince = Date.now();
        this.options.log(`MCP server ${this.options.label}: ready, ${this.tools.length} tools`);
      },
      (error: unknown) => {
        if (this.state === 'closed') throw error;
        this.failures += 1;
        this.state = 'failed';
        this.lastError = errorMessage(error);
        this.nextAttemptAt = Date.now() + backoffMs(this.failures);
        this.options.log(`MCP server ${this.options.label}: failed to start: ${this.lastError}`);
        throw error;
      },
    );
    this.starting.catch(() => undefined);
    return this.starting;
  }

  private async connect(): Promise<void> {
    const deadline = Date.now() + this.options.startupTimeoutMs;
    const { Client } = await loadSdk();
    const transport = this.makeTransport();
    const client = new Client(CLIENT_INFO, {
      capabilities: {},
      listChanged: {
        tools: {
          onChanged: (error, tools) => {
            if (client !== this.client) return;
            if (error)
              this.options.log(`MCP server ${this.options.label}: cannot refresh tools: ${error.message}`);
            else if (tools) this.tools = tools;
          },
        },
      },
    });
    client.onerror = (error) => this.options.log(`MCP server ${this.options.label}: ${error.message}`);
    this.connecting = client;
    try {
      await client.connect(transport, { timeout: this.options.startupTimeoutMs });
      const tools: Tool[] = [];
      let cursor: string | undefined;
      do {
        const remaining = Math.max(1, deadline - Date.now());
        const page = await client.listTools(cursor ? { cursor } : undefined, { timeout: remaining });
        tools.push(...page.tools);
        cursor = page.nextCursor;
      } while (cursor);
      this.tools = tools;
    } catch (error) {
      await client.close().catch(() => undefined);
      throw new Error(this.explainStartError(error, transport));
    } finally {
      this.connecting = undefined;
    }
    if (this.state === 'closed') {
      await client.close().catch(() => undefined);
      throw new Error('the server was shut down');
    }
    this.client = client;
    this.transport = transport;
    client.onclose = () => this.onUnexpectedClose(client, transport);
  }

  private explainStartError(error: unknown, transport: Transport): string {
    const stderr = transport instanceof rt().ProcessGroupStdioTransport ? transport.recentStderr : '';
    const exit = transport instanceof rt().ProcessGroupStdioTransport ? transport.exitDescription : undefined;
    let reason: string;
    if (error instanceof rt().McpError && error.code === rt().ErrorCode.RequestTimeout) {
      reason = `it did not answer within ${seconds(this.options.startupTimeoutMs)} (the startup timeout)`;
    } else if (error instanceof rt().McpError && error.code === rt().ErrorCode.ConnectionClosed && exit) {
      reason = `it ${exit} before it was ready`;
    } else if ((error instanceof rt().StreamableHTTPError || error instanceof rt().SseError) && error.code) {
      const hint =
        error.code === 401 || error.code === 403
          ? ' (check the Authorization header in its configuration)'
          : '';
      reason = `HTTP ${error.code}${hint}: ${error.message}`;
    } else {
      reason = errorMessage(error);
      // `fetch failed` alone does not say why; the cause does (ECONNREFUSED, DNS, TLS).
      const cause = error instanceof Error ? (error.cause as { message?: string } | undefined) : undefined;
      if (cause?.message && !reason.includes(cause.message)) reason += ` (${cause.message})`;
    }
    const tail = stderr ? `; its last output: ${stderr.split('\n').slice(-5).join(' | ')}` : '';
    return reason + tail;
  }

  private onUnexpectedClose(client: Client, transport: Transport): void {
    const exit = transport instanceof rt().ProcessGroupStdioTransport ? transport.exitDescription : undefined;
    const description = exit?.startsWith('stopped by Cairn')
      ? exit
      : `stopped unexpectedly (${exit ?? 'connection closed'})`;
    this.onConnectionLost(client, description);
  }

  /** The server died or can no longer be reached: drop the client and reconnect with backoff. */
  private onConnectionLost(client: Client, description: string): void {
    if (client !== this.client || this.state === 'closed') return;
    this.client = undefined;
    this.transport = undefined;
    // Closing a stdio client whose process already exited is a no-op; for HTTP it drops the session.
    void client.close().catch(() => undefined);
    if (Date.now() - this.readySince > HEALTHY_UPTIME_MS) this.failures = 0;
    this.failures += 1;
    this.crashes += 1;
    this.state = 'failed';
    this.lastError = description;
    this.lastCrash = description;
    const delay = backoffMs(this.failures);
    this.nextAttemptAt = Date.now() + delay;
    this.options.log(`MCP server ${this.options.label}: ${description}; restart in ${seconds(delay)}`);
    if (this.failures <= MAX_AUTO_RESTARTS) {
      this.restartTimer = setTimeout(() => {
        if (this.state === 'failed') this.start().catch(() => undefined);
      }, delay);
      this.restartTimer.unref();
    }
  }

  private makeTransport(): Transport {
    const config = this.options.config;
    if ('command' in config) {
      return new (rt().ProcessGroupStdioTransport)({
        command: config.command,
        args: config.args ?? [],
        env: config.env ?? {},
        cwd: config.cwd ?? this.options.workingFolder,
        repositoryRoots: this.options.repositoryRoots ?? [],
        onStderrLine: (line) => this.options.log(`[mcp ${this.options.label}] ${line}`),
      });
    }
    const url = new URL(config.url);
    const requestInit = { headers: config.headers ?? {} };
    return config.type === 'sse'
      ? new (rt().SSEClientTransport)(url, { requestInit })
      : new (rt().StreamableHTTPClientTransport)(url, { requestInit });
  }

  private async disconnect(): Promise<void> {
    const client = this.client;
    const transport = this.transport;
    this.client = undefined;
    this.transport = undefined;
    if (!client) return;
    if (transport instanceof rt().StreamableHTTPClientTransport) {
      // Lets the server free the session now rather than on its own timeout.
      await transport.terminateSession().catch(() => undefined);
    }
    await client.close().catch((error: unknown) => {
      this.options.log(`MCP server ${this.options.label}: error while stopping: ${errorMessage(error)}`);
    });
  }
}
