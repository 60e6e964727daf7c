import { McpConnection } from './connection.js';
import { neutralWorkingFolder } from './launch-policy.js';
import type { AcpMcpServer, McpServerConfig } from './server-config.js';
import type { McpSessionTools } from './session-mcp-tools.js';

export interface McpHubOptions {
  startupTimeoutMs: number;
  callTimeoutMs: number;
  /** Diagnostics (stderr): server output, starts, crashes. */
  log: (message: string) => void;
  /** Cairn's home: stdio servers without a `cwd` of their own run in an empty folder there. */
  cairnHome?: string;
}

export interface McpSessionOptions {
  /** `mcpServers` from `session/new`, as the client sent them. */
  fromClient: readonly AcpMcpServer[];
  /** `mcpServers` from Cairn's config. */
  fromConfig: Readonly<Record<string, McpServerConfig>>;
  /** The session's workspace: stdio servers never load code from it (see launch-policy.ts). */
  cwd?: string;
  /** The session's additional directories: as untrusted as the workspace. */
  additionalDirectories?: readonly string[];
  /** The model's context window in tokens; a function when the session can switch models. */
  contextWindow?: number | (() => number | undefined);
  /** Share of the context window MCP tool schemas may take before the search bridge is used. */
  maxToolSchemaShare: number;
}

interface Shared {
  connection: McpConnection;
  users: number;
}

/**
 * Every MCP server of the process. Sessions with identical server configurations share one
 * running server; the last session to let go of one stops it.
 */
export class McpHub {
  private readonly shared = new Map<string, Shared>();

  constructor(private readonly options: McpHubOptions) {}

  async openSession(session: McpSessionOptions): Promise<McpSessionTools> {
    // Loaded with the first session that needs them (server-set validates with the config schema).
    const [{ mergeServers }, { SessionMcpTools }] = await Promise.all([
      import('./server-set.js'),
      import('./session-mcp-tools.js'),
    ]);
    const { servers, notices } = mergeServers(
      session.fromClient,
      session.fromConfig,
      session.cwd,
      session.additionalDirectories,
    );
    const attached = servers.map((server) => {
      let entry = this.shared.get(server.identity);
      if (!entry) {
        const connection = new McpConnection({
          ...this.options,
          config: server.config,
          label: server.name,
          workingFolder: neutralWorkingFolder(this.options.cairnHome),
          repositoryRoots: server.repositoryRoots,
        });
        entry = { connection, users: 0 };
        this.shared.set(server.identity, entry);
      }
      entry.users += 1;
      return { ...server, connection: entry.connection };
    });
    return new SessionMcpTools(
      attached,
      notices,
      { contextWindow: session.contextWindow, maxToolSchemaShare: session.maxToolSchemaShare },
      (connection) => this.release(connection),
      this.options.log,
    );
  }

  /** Servers running or known now (for tests and diagnostics). */
  get serverCount(): number {
    return this.shared.size;
  }

  /** Stops every server (on Cairn's exit). */
  async closeAll(): Promise<void> {
    const all = [...this.shared.values()];
    this.shared.clear();
    await Promise.all(all.map((s) => s.connection.close()));
  }

  private async release(connection: McpConnection): Promise<void> {
    for (const [identity, entry] of this.shared) {
      if (entry.connection !== connection) continue;
      entry.users -= 1;
      if (entry.users > 0) return;
      this.shared.delete(identity);
      await connection.close();
      return;
    }
  }
}
