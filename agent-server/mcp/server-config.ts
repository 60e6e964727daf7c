import { createHash } from 'node:crypto';
import type { McpServerConfig } from '../../shared/config.js';

export type { McpServerConfig };

/** A `{name, value}` pair as ACP sends environment variables and HTTP headers. */
export interface AcpNameValue {
  name: string;
  value: string;
}

/**
 * ACP's `McpServer` union as it arrives in `session/new` (mirrored here so this module never
 * imports the ACP SDK). Stdio servers carry no `type`; HTTP and SSE servers do.
 */
export type AcpMcpServer =
  | { type?: undefined; name: string; command: string; args: string[]; env: AcpNameValue[] }
  | { type: 'http'; name: string; url: string; headers: AcpNameValue[] }
  | { type: 'sse'; name: string; url: string; headers: AcpNameValue[] };

function pairsToRecord(pairs: readonly AcpNameValue[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { name, value } of pairs ?? []) out[name] = value;
  return out;
}

/** Converts one server from `session/new` to Cairn's config shape (the same as `mcpServers` in config.json). */
export function fromAcpServer(server: AcpMcpServer): { name: string; config: McpServerConfig } {
  if (server.type === 'http' || server.type === 'sse') {
    return {
      name: server.name,
      config: { type: server.type, url: server.url, headers: pairsToRecord(server.headers) },
    };
  }
  // Some clients send `type: "stdio"` explicitly even though ACP leaves it out.
  return {
    name: server.name,
    config: { command: server.command, args: server.args ?? [], env: pairsToRecord(server.env) },
  };
}

/** JSON with object keys sorted, so equal configurations give equal strings whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * What makes two servers the same running process: the launch configuration, not the name a
 * session gives it. `stdio` written out or left implicit is the same server.
 */
export function serverIdentity(config: McpServerConfig): string {
  const normalised =
    'command' in config
      ? {
          type: 'stdio',
          command: config.command,
          args: config.args ?? [],
          env: config.env ?? {},
          cwd: config.cwd,
        }
      : { type: config.type, url: config.url, headers: config.headers ?? {} };
  return canonicalJson(normalised);
}

export function transportName(config: McpServerConfig): 'stdio' | 'http' | 'sse' {
  return 'command' in config ? 'stdio' : config.type;
}

/** OpenAI-compatible function names allow `[A-Za-z0-9_-]` and at most 64 characters. */
const MAX_TOOL_NAME = 64;

function safePart(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '_');
}

/**
 * The model-facing name of an MCP tool: `mcp__<server>__<tool>`, with characters function calling
 * rejects replaced by `_`, and a short hash when it would be too long (so names stay distinct).
 */
export function mcpToolName(server: string, tool: string): string {
  const name = `mcp__${safePart(server)}__${safePart(tool)}`;
  if (name.length <= MAX_TOOL_NAME) return name;
  const hash = createHash('sha256').update(`${server}\0${tool}`).digest('hex').slice(0, 8);
  return `${name.slice(0, MAX_TOOL_NAME - 9)}_${hash}`;
}
