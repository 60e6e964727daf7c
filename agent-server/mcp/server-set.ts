import { McpServerConfigSchema } from '../../shared/config.js';
import { fromAcpServer, type AcpMcpServer, type McpServerConfig, serverIdentity } from './server-config.js';

export type ServerOrigin = 'client' | 'config';

export interface SessionServer {
  /** The name this session's tools carry (`mcp__<name>__…`). */
  name: string;
  origin: ServerOrigin;
  config: McpServerConfig;
  identity: string;
}

/** Names compare as they end up in tool names, so `a.b` and `a_b` clash too. */
function nameKey(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_').toLowerCase();
}

/**
 * One session's servers: those the client passed in `session/new` and those from Cairn's config.
 * The same server from both is used once; a name given to two different servers keeps both,
 * renaming the second, and says so.
 */
export function mergeServers(
  fromClient: readonly AcpMcpServer[],
  fromConfig: Readonly<Record<string, McpServerConfig>>,
  /** Where stdio servers without their own `cwd` run: the session's workspace. */
  workspace?: string,
): { servers: SessionServer[]; notices: string[] } {
  const servers: SessionServer[] = [];
  const notices: string[] = [];
  const byName = new Map<string, SessionServer>();

  const add = (name: string, origin: ServerOrigin, raw: unknown): void => {
    const parsed = McpServerConfigSchema.safeParse(raw);
    if (!parsed.success || !name.trim()) {
      const why = parsed.success ? 'it has no name' : parsed.error.issues.map((i) => i.message).join('; ');
      notices.push(
        `MCP server "${name}" from the ${origin === 'client' ? 'client' : 'Cairn config'} is invalid and was skipped: ${why}`,
      );
      return;
    }
    // Relative paths in a server's arguments mean the project, as in other agents; servers started
    // in different projects are therefore different processes.
    const config =
      'command' in parsed.data && !parsed.data.cwd && workspace
        ? { ...parsed.data, cwd: workspace }
        : parsed.data;
    const identity = serverIdentity(config);
    const existing = byName.get(nameKey(name));
    if (existing?.identity === identity) return;
    let finalName = name;
    if (existing) {
      const base = `${name}_${origin}`;
      finalName = base;
      for (let n = 2; byName.has(nameKey(finalName)); n++) finalName = `${base}${n}`;
      notices.push(
        `Two different MCP servers are named "${name}" (from the ${existing.origin === 'client' ? 'client' : 'Cairn config'} and from the ${origin === 'client' ? 'client' : 'Cairn config'}); the second one's tools are named after "${finalName}".`,
      );
    }
    const server: SessionServer = { name: finalName, origin, config, identity };
    byName.set(nameKey(finalName), server);
    servers.push(server);
  };

  for (const server of fromClient) {
    let converted: { name: string; config: McpServerConfig } | undefined;
    try {
      converted = fromAcpServer(server);
    } catch (error) {
      notices.push(
        `MCP server "${server?.name}" from the client is invalid and was skipped: ${String(error)}`,
      );
    }
    if (converted) add(converted.name, 'client', converted.config);
  }
  for (const [name, config] of Object.entries(fromConfig)) add(name, 'config', config);
  return { servers, notices };
}
