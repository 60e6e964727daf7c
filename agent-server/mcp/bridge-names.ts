/** The tools through which the model reaches MCP tools when their schemas are over budget. */
export const BRIDGE_TOOL_NAMES = ['mcp_search_tools', 'mcp_describe_tool', 'mcp_call_tool'] as const;
