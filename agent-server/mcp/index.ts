/** MCP servers as agent tools: the hub, the per-session tool view, and what to advertise over ACP. */
export { McpHub, type McpHubOptions, type McpSessionOptions } from './hub.js';
export type { McpSessionTools } from './session-mcp-tools.js';
export {
  fromAcpServer,
  type AcpMcpServer,
  type AcpNameValue,
  type McpServerConfig,
} from './server-config.js';
export { BRIDGE_TOOL_NAMES } from './bridge-names.js';

/** ACP `mcpCapabilities` for `initialize`: both remote transports are supported (stdio always is). */
export const MCP_CAPABILITIES = { http: true, sse: true } as const;
