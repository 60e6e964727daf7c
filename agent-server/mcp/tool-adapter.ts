import { z } from 'zod';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { ToolError, type ToolContext, type ToolDefinition, type ToolResult } from '../tools/types.js';
import type { McpConnection } from './connection.js';
import { mapCallResult } from './tool-result.js';
import { estimateToolTokens, sanitiseToolSchema } from './tool-schema.js';
import { mcpToolName } from './server-config.js';
import { errorMessage } from '../../shared/error-message.js';
import { deniedOutcome } from '../tools/denied-outcome.js';

export type McpToolInput = Record<string, unknown>;

/** Longest tool description shown to the model; some servers ship whole manuals. */
const MAX_DESCRIPTION_CHARS = 2000;

/** One MCP tool of one server as a session knows it. */
export interface McpToolEntry {
  /** Model-facing name, `mcp__<server>__<tool>`. */
  name: string;
  server: string;
  tool: Tool;
  connection: McpConnection;
  description: string;
  schema: Record<string, unknown>;
  /** What the server claims (`readOnlyHint`): shown, never trusted to skip a question. */
  declaresReadOnly: boolean;
  tokens: number;
}

export function toolEntry(server: string, connection: McpConnection, tool: Tool): McpToolEntry {
  const name = mcpToolName(server, tool.name);
  const base = tool.description?.trim() || tool.annotations?.title || tool.title || tool.name;
  const text = base.length > MAX_DESCRIPTION_CHARS ? `${base.slice(0, MAX_DESCRIPTION_CHARS)}…` : base;
  const description = `${text}\n(MCP tool "${tool.name}" of server "${server}")`;
  const schema = sanitiseToolSchema(tool.inputSchema);
  return {
    name,
    server,
    tool,
    connection,
    description,
    schema,
    declaresReadOnly: tool.annotations?.readOnlyHint === true,
    tokens: estimateToolTokens(name, description, schema),
  };
}

export function titleOf(entry: McpToolEntry): string {
  const label = entry.tool.annotations?.title || entry.tool.title || entry.tool.name;
  return `${label} (${entry.server})`;
}

/**
 * Runs one MCP tool call for a session: asks permission, calls the server with the turn's
 * signal, maps the result. Annotations come from the server, so they may only raise what asks
 * (`destructiveHint` asks even in auto mode), never lower it: a tool that says it only reads is
 * still an external action (asks in ask mode, refused in plan mode) and is never shown as a read,
 * which a client may approve on its own. "Always" is remembered per tool.
 */
export async function runMcpTool(
  entry: McpToolEntry,
  input: McpToolInput,
  ctx: ToolContext,
): Promise<ToolResult> {
  const annotations = entry.tool.annotations ?? {};
  const outcome = await ctx.permissions.request(
    {
      toolCallId: ctx.toolCallId,
      toolName: entry.name,
      category: 'external',
      kind: 'other',
      title: titleOf(entry),
      ruleKey: `mcp:${entry.server}:${entry.tool.name}`,
      dangerous: annotations.destructiveHint === true,
      rawInput: input,
    },
    ctx.signal,
  );
  if (!outcome.allowed) {
    return { forModel: `Not run: ${outcome.message}`, ...deniedOutcome(outcome) };
  }

  let result;
  try {
    result = await entry.connection.callTool(entry.tool.name, input, {
      signal: ctx.signal,
      onProgress: (progress, total, message) => {
        const of = total !== undefined ? `${progress}/${total}` : String(progress);
        ctx.progress([{ type: 'text', text: `Progress ${of}${message ? `: ${message}` : ''}` }]);
      },
    });
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    const reason = errorMessage(error);
    throw new ToolError(`MCP server "${entry.server}" could not run "${entry.tool.name}": ${reason}`);
  }
  const mapped = mapCallResult(result);
  if (result.isError) throw new ToolError(mapped.forModel);
  return { forModel: mapped.forModel, content: mapped.content, rawOutput: result.structuredContent };
}

const anyArguments = z.record(z.string(), z.unknown());

/** An MCP tool as an agent tool, listed with its own (sanitised) schema. */
export function adaptMcpTool(entry: McpToolEntry): ToolDefinition<McpToolInput> {
  return {
    name: entry.name,
    description: entry.description,
    // The server validates its own arguments; the model sees the real schema through `jsonSchema`.
    inputSchema: anyArguments,
    jsonSchema: entry.schema,
    kind: 'other',
    // Plan mode means no writes of any kind, and only the server vouches for `readOnlyHint`:
    // MCP tools are not offered there.
    readOnly: false,
    // Pending ("Waiting for approval") until the gate allows it, like edits and commands.
    asksApproval: true,
    describe: () => ({ title: titleOf(entry) }),
    run: (input, ctx) => runMcpTool(entry, input, ctx),
  };
}
