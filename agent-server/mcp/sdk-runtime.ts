/**
 * The MCP SDK's runtime pieces, in one module that `connection.ts` loads with the first server
 * start: MCP servers start on the first prompt, so `initialize` and `session/new` never pay
 * for the SDK (and its JSON-schema validator).
 */
export { Client } from '@modelcontextprotocol/sdk/client/index.js';
export {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
export { SSEClientTransport, SseError } from '@modelcontextprotocol/sdk/client/sse.js';
export { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
export { ProcessGroupStdioTransport } from './stdio-transport.js';
