import { z } from 'zod';
import { ToolError, type ToolDefinition } from '../tools/types.js';
import { runMcpTool, titleOf, type McpToolEntry } from './tool-adapter.js';

/**
 * When MCP tool schemas would take too much of the context window, the model gets these three
 * small tools instead of every schema: find a tool, read its schema, call it.
 */
import { BRIDGE_TOOL_NAMES } from './bridge-names.js';

export { BRIDGE_TOOL_NAMES };

const DEFAULT_RESULTS = 15;

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 160 ? `${line.slice(0, 160)}…` : line;
}

/** Tools whose name or description mention the query's words, best first. An empty query lists all. */
export function searchTools(entries: readonly McpToolEntry[], query: string, limit: number): McpToolEntry[] {
  const words = query
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  if (!words.length) return entries.slice(0, limit);
  const scored = entries
    .map((entry) => {
      const name = entry.name.toLowerCase();
      const text = entry.description.toLowerCase();
      let score = 0;
      for (const word of words) {
        if (name.includes(word)) score += 3;
        if (text.includes(word)) score += 1;
      }
      return { entry, score };
    })
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score || a.entry.name.localeCompare(b.entry.name));
  return scored.slice(0, limit).map((s) => s.entry);
}

function lookup(catalog: () => ReadonlyMap<string, McpToolEntry>, name: string): McpToolEntry {
  const entry = catalog().get(name);
  if (!entry) {
    throw new ToolError(
      `No MCP tool named "${name}" is available now. Use mcp_search_tools to find tool names.`,
    );
  }
  return entry;
}

const SearchInput = z.object({
  query: z.string().describe('Words describing what the tool should do; empty lists every tool.'),
  limit: z
    .number()
    .int()
    .positive()
    .max(100)
    .optional()
    .describe(`How many results (default ${DEFAULT_RESULTS}).`),
});
const DescribeInput = z.object({ name: z.string().describe('Tool name as given by mcp_search_tools.') });
const CallInput = z.object({
  name: z.string().describe('Tool name as given by mcp_search_tools.'),
  arguments: z
    .record(z.string(), z.unknown())
    .default({})
    .describe('Arguments matching the schema from mcp_describe_tool.'),
});

export function bridgeTools(catalog: () => ReadonlyMap<string, McpToolEntry>): ToolDefinition[] {
  const search: ToolDefinition<z.infer<typeof SearchInput>> = {
    name: 'mcp_search_tools',
    description:
      'Search the tools offered by MCP servers (there are too many to list here). Returns tool names with a one-line summary; then use mcp_describe_tool for the arguments and mcp_call_tool to run one.',
    inputSchema: SearchInput,
    kind: 'search',
    readOnly: true,
    describe: (input) => ({ title: `Search MCP tools: ${input.query}` }),
    run: async (input) => {
      const entries = [...catalog().values()];
      const found = searchTools(entries, input.query, input.limit ?? DEFAULT_RESULTS);
      if (!found.length)
        return { forModel: `No MCP tool matches "${input.query}" (${entries.length} tools in all).` };
      const lines = found.map((e) => `${e.name}: ${firstLine(e.description)}`);
      return { forModel: `${lines.join('\n')}\n(${found.length} of ${entries.length} MCP tools)` };
    },
  };
  const describeTool: ToolDefinition<z.infer<typeof DescribeInput>> = {
    name: 'mcp_describe_tool',
    description: 'Show an MCP tool’s full description and the JSON schema of its arguments.',
    inputSchema: DescribeInput,
    kind: 'read',
    readOnly: true,
    describe: (input) => ({ title: `Describe MCP tool ${input.name}` }),
    run: async (input) => {
      const entry = lookup(catalog, input.name);
      const hints = entry.tool.annotations ? `\nAnnotations: ${JSON.stringify(entry.tool.annotations)}` : '';
      return {
        forModel: `${entry.name}\n${entry.description}${hints}\nArguments schema: ${JSON.stringify(entry.schema)}`,
      };
    },
  };
  const call: ToolDefinition<z.infer<typeof CallInput>> = {
    name: 'mcp_call_tool',
    description: 'Call an MCP tool by name with its arguments (see mcp_describe_tool for the schema).',
    inputSchema: CallInput,
    kind: 'other',
    // Not offered in plan mode: no MCP tool is trusted to only read (see runMcpTool).
    readOnly: false,
    asksApproval: true,
    describe: (input) => {
      const entry = catalog().get(input.name);
      return { title: entry ? titleOf(entry) : `MCP tool ${input.name}` };
    },
    run: (input, ctx) => runMcpTool(lookup(catalog, input.name), input.arguments, ctx),
  };
  return [search, describeTool, call] as ToolDefinition[];
}
