import { DEFAULT_CONTEXT_WINDOW } from '../core/model-client.js';
import type { ToolDefinition } from '../tools/types.js';
import type { McpConnection } from './connection.js';
import type { McpToolEntry } from './tool-adapter.js';
import { BRIDGE_TOOL_NAMES } from './bridge-names.js';
import type { SessionServer } from './server-set.js';

/** A session's view of its MCP servers, as the runtime uses it each turn. */
export interface McpSessionTools {
  /** Starts servers the first time; returns the tools for this turn and anything the user should be told. */
  prepare(signal: AbortSignal): Promise<{ tools: ToolDefinition[]; notices: string[] }>;
  /** Lines for `/status`. */
  status(): string[];
  /** Releases this session's servers; those no other session uses are stopped. */
  close(): Promise<void>;
}

interface AttachedServer extends SessionServer {
  connection: McpConnection;
}

function kiloTokens(tokens: number): string {
  return tokens >= 1000 ? `${Math.round(tokens / 100) / 10}k` : String(tokens);
}

export class SessionMcpTools implements McpSessionTools {
  private readonly pending: string[];
  /** What the user has been told per server, so a failure is reported once, not every turn. */
  private readonly seen = new Map<string, { crashes: number; error?: string }>();
  private catalog = new Map<string, McpToolEntry>();
  private bridged = false;
  private schemaTokens = 0;
  private prepared = false;
  private closed = false;
  /** The bridge tools, made at the first prepare (their schemas load only with a server to reach). */
  private bridge: ToolDefinition[] | undefined;

  constructor(
    private readonly servers: readonly AttachedServer[],
    mergeNotices: string[],
    private readonly budget: {
      contextWindow?: number | (() => number | undefined);
      maxToolSchemaShare: number;
    },
    private readonly release: (connection: McpConnection) => Promise<void>,
    private readonly log: (message: string) => void,
  ) {
    this.pending = [...mergeNotices];
    // Crashes before this session existed are not news to it.
    for (const server of servers) this.seen.set(server.name, { crashes: server.connection.crashes });
  }

  async prepare(signal: AbortSignal): Promise<{ tools: ToolDefinition[]; notices: string[] }> {
    if (this.closed) return { tools: [], notices: [] };
    this.prepared = true;
    if (!this.servers.length) return { tools: [], notices: this.pending.splice(0) };
    const [{ adaptMcpTool, toolEntry }, { bridgeTools }] = await Promise.all([
      import('./tool-adapter.js'),
      import('./tool-bridge.js'),
    ]);
    this.bridge ??= bridgeTools(() => this.catalog);
    const starts = this.servers.map((s) => s.connection.ensureReady().catch(() => undefined));
    await new Promise<void>((resolve) => {
      // A cancelled turn does not wait for slow servers; they keep starting in the background.
      const onAbort = () => resolve();
      signal.addEventListener('abort', onAbort, { once: true });
      void Promise.all(starts).then(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
      if (signal.aborted) resolve();
    });

    const notices = this.pending.splice(0);
    const catalog = new Map<string, McpToolEntry>();
    for (const server of this.servers) {
      const { connection } = server;
      const notice = this.problemNotice(server);
      if (notice) notices.push(notice);
      if (connection.state !== 'ready') continue;
      for (const tool of connection.tools) {
        const entry = toolEntry(server.name, connection, tool);
        if (catalog.has(entry.name)) {
          this.log(`MCP server ${server.name}: tool name ${entry.name} is used twice; keeping the first`);
          continue;
        }
        catalog.set(entry.name, entry);
      }
    }
    this.catalog = catalog;

    const wasBridged = this.bridged;
    this.schemaTokens = [...catalog.values()].reduce((sum, e) => sum + e.tokens, 0);
    this.bridged = catalog.size > 0 && this.schemaTokens > this.schemaBudget();
    if (this.bridged && !wasBridged) {
      notices.push(
        `MCP tools: ${catalog.size} tools would take ~${kiloTokens(this.schemaTokens)} tokens, over the ${this.shareText()} budget; the model reaches them through ${BRIDGE_TOOL_NAMES.join(', ')}.`,
      );
    }
    const tools = this.bridged
      ? this.bridge
      : [...catalog.values()].map((e) => adaptMcpTool(e) as ToolDefinition);
    return { tools, notices };
  }

  status(): string[] {
    if (!this.servers.length) return ['MCP: no servers'];
    const lines = this.servers.map((s) => {
      const c = s.connection;
      const where = `${c.transportKind}, from ${s.origin === 'client' ? 'the client' : 'Cairn config'}`;
      let state: string;
      switch (c.state) {
        case 'idle':
          state = 'starts with the first prompt';
          break;
        case 'starting':
          state = 'starting';
          break;
        case 'ready':
          state = `ready, ${c.tools.length} tools`;
          break;
        case 'failed':
          state = `unavailable: ${c.lastError}${c.retryInMs > 0 ? ` (next attempt in ${Math.ceil(c.retryInMs / 1000)}s)` : ''}`;
          break;
        case 'closed':
          state = 'stopped';
          break;
      }
      return `MCP ${s.name} (${where}): ${state}`;
    });
    if (this.prepared && this.catalog.size) {
      const how = this.bridged
        ? `over the ${this.shareText()} budget, so reached through ${BRIDGE_TOOL_NAMES.join(', ')}`
        : `within the ${this.shareText()} budget, listed individually`;
      lines.push(
        `MCP tools: ${this.catalog.size} tools, ~${kiloTokens(this.schemaTokens)} tokens of schemas, ${how}`,
      );
    }
    return lines;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.catalog = new Map();
    await Promise.all(this.servers.map((s) => this.release(s.connection)));
  }

  private contextWindow(): number | undefined {
    const { contextWindow } = this.budget;
    return typeof contextWindow === 'function' ? contextWindow() : contextWindow;
  }

  private schemaBudget(): number {
    return this.budget.maxToolSchemaShare * (this.contextWindow() ?? DEFAULT_CONTEXT_WINDOW);
  }

  private shareText(): string {
    const known = this.contextWindow();
    const window = known ?? DEFAULT_CONTEXT_WINDOW;
    const assumed = known === undefined ? ' assumed' : '';
    return `${Math.round(this.budget.maxToolSchemaShare * 100)}% of the${assumed} ${kiloTokens(window)}-token context window`;
  }

  /** A notice for a server's new problem (crash, failed start) or recovery; nothing if already told. */
  private problemNotice(server: AttachedServer): string | undefined {
    const c = server.connection;
    const seen = this.seen.get(server.name) ?? { crashes: c.crashes };
    this.seen.set(server.name, seen);
    const name = `MCP server "${server.name}"`;
    if (c.crashes > seen.crashes) {
      seen.crashes = c.crashes;
      seen.error = c.state === 'ready' ? undefined : c.lastError;
      return c.state === 'ready'
        ? `${name} ${c.lastCrash} and was restarted.`
        : `${name} ${c.lastCrash}; Cairn restarts it with backoff. Its tools are unavailable until then.`;
    }
    if (c.state === 'ready') {
      const wasDown = seen.error !== undefined;
      seen.error = undefined;
      return wasDown ? `${name} is running again.` : undefined;
    }
    if (c.state !== 'failed' || c.lastError === seen.error) return undefined;
    seen.error = c.lastError;
    return c.crashes > 0
      ? `${name} could not be restarted: ${c.lastError}. This session continues without its tools.`
      : `${name} failed to start: ${c.lastError}. This session continues without its tools.`;
  }
}
