import { McpServerConfigSchema } from '../../shared/config.js';
import {
  repositoryProgram,
  repositoryRoots,
  withoutRepository,
  WORKSPACE_PLACEHOLDER,
} from './launch-policy.js';
import { fromAcpServer, type AcpMcpServer, type McpServerConfig, serverIdentity } from './server-config.js';

export type ServerOrigin = 'client' | 'config';

export interface SessionServer {
  /** The name this session's tools carry (`mcp__<name>__…`). */
  name: string;
  origin: ServerOrigin;
  config: McpServerConfig;
  /** The repository a stdio server must not load code from (its workspace, resolved). */
  repositoryRoots: string[];
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
  /** The session's workspace: the repository stdio servers must not load code from. */
  workspace?: string,
  /** The session's additional directories: no code from them either. */
  extraRoots: readonly string[] = [],
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
    // Stdio servers run outside the repository (see launch-policy.ts) unless the user's own
    // config says `"cwd": "${workspace}"`; one the client sent that runs the repository's own
    // code is not started. Different projects still get different processes (PATH differs).
    let config = parsed.data;
    const roots = repositoryRoots(workspace, extraRoots);
    if ('command' in config) {
      const fromRepo = origin === 'client' ? repositoryProgram(config, roots) : undefined;
      if (fromRepo) {
        notices.push(
          `MCP server "${name}" from the client was not started: it runs ${fromRepo}, from the repository or a relative path, and MCP servers run outside the sandbox. To run it anyway, add it to Cairn's config (config.json in Cairn's home) with an absolute path.`,
        );
        return;
      }
      if (origin === 'client') config = { ...config, env: withoutRepository(config.env, roots) };
      if (config.cwd === WORKSPACE_PLACEHOLDER) {
        if (origin !== 'config' || !workspace) {
          notices.push(
            `MCP server "${name}": "cwd": "${WORKSPACE_PLACEHOLDER}" is only honoured in Cairn's config; it runs outside the workspace.`,
          );
          config = { ...config, cwd: undefined };
        } else config = { ...config, cwd: workspace };
      }
    }
    const identity = `${serverIdentity(config)}\0${roots.join('\0')}`;
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
    const server: SessionServer = { name: finalName, origin, config, repositoryRoots: roots, identity };
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
