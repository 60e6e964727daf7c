/**
 * MCP: cold start of a real server (server-everything over stdio), tool-call round trips over
 * stdio and Streamable HTTP, stopping a server, and the schema budget with many tools (the
 * search bridge's cost).
 */
import { McpHub } from '../../agent-server/mcp/index.js';
import type { ToolContext, ToolDefinition } from '../../agent-server/tools/types.js';
import { everythingStdio, faultyStdio, startEverythingHttp } from '../fixtures/mcp/servers.js';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

const allowAll = { request: async () => ({ allowed: true as const }) };
function context(): ToolContext {
  return {
    sessionId: 'bench',
    toolCallId: 'bench',
    workspace: undefined as never,
    terminal: undefined as never,
    permissions: allowAll as never,
    signal: new AbortController().signal,
    progress: () => undefined,
  };
}

function find(tools: ToolDefinition[], name: string): ToolDefinition<Record<string, unknown>> {
  return tools.find((t) => t.name === name) as ToolDefinition<Record<string, unknown>>;
}

async function callLatencies(
  tool: ToolDefinition<Record<string, unknown>>,
  count: number,
): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await tool.run({ message: `m${i}` }, context());
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b);
}

export async function bench(
  report: (name: string, figures: Record<string, number | string>) => void,
): Promise<void> {
  const hub = new McpHub({ startupTimeoutMs: 30_000, callTimeoutMs: 30_000, log: () => undefined });

  const starts: number[] = [];
  const stops: number[] = [];
  let toolCount = 0;
  for (let i = 0; i < 5; i++) {
    const session = await hub.openSession({
      fromClient: [],
      fromConfig: { everything: everythingStdio() },
      maxToolSchemaShare: 1,
    });
    let t = performance.now();
    toolCount = (await session.prepare(new AbortController().signal)).tools.length;
    starts.push(performance.now() - t);
    t = performance.now();
    await session.close();
    stops.push(performance.now() - t);
  }
  starts.sort((a, b) => a - b);
  stops.sort((a, b) => a - b);
  report('mcp stdio server start (server-everything, first prompt)', {
    tools: toolCount,
    median_ms: Math.round(percentile(starts, 0.5)),
    max_ms: Math.round(starts[starts.length - 1]!),
    stop_median_ms: Math.round(percentile(stops, 0.5)),
  });

  const stdio = await hub.openSession({
    fromClient: [],
    fromConfig: { everything: everythingStdio() },
    maxToolSchemaShare: 1,
  });
  const stdioTools = (await stdio.prepare(new AbortController().signal)).tools;
  const stdioTimes = await callLatencies(find(stdioTools, 'mcp__everything__echo'), 300);
  report('mcp tool call over stdio (echo, 300 calls)', {
    p50_ms: +percentile(stdioTimes, 0.5).toFixed(2),
    p95_ms: +percentile(stdioTimes, 0.95).toFixed(2),
  });
  await stdio.close();

  const server = await startEverythingHttp('streamableHttp');
  try {
    const http = await hub.openSession({
      fromClient: [{ type: 'http', name: 'remote', url: server.url, headers: [] }],
      fromConfig: {},
      maxToolSchemaShare: 1,
    });
    const httpTools = (await http.prepare(new AbortController().signal)).tools;
    const httpTimes = await callLatencies(find(httpTools, 'mcp__remote__echo'), 300);
    report('mcp tool call over Streamable HTTP (echo, 300 calls)', {
      p50_ms: +percentile(httpTimes, 0.5).toFixed(2),
      p95_ms: +percentile(httpTimes, 0.95).toFixed(2),
    });
    await http.close();
  } finally {
    await server.close();
  }

  const many = await hub.openSession({
    fromClient: [],
    fromConfig: { many: faultyStdio('many-tools', 500) },
    contextWindow: 128_000,
    maxToolSchemaShare: 0.1,
  });
  let t = performance.now();
  const { tools } = await many.prepare(new AbortController().signal);
  const firstPrepare = performance.now() - t;
  t = performance.now();
  await many.prepare(new AbortController().signal);
  const laterPrepare = performance.now() - t;
  const search = find(tools, 'mcp_search_tools');
  t = performance.now();
  for (let i = 0; i < 100; i++) await search.run({ query: `tool ${i} widgets` }, context());
  const searchMs = (performance.now() - t) / 100;
  const status = many.status().find((l) => l.startsWith('MCP tools:')) ?? '';
  report('mcp 500 tools over the schema budget (search bridge)', {
    tools_exposed: tools.length,
    schema_tokens_estimate: Number(/~([\d.]+)k tokens/.exec(status)?.[1] ?? 0) * 1000,
    first_prepare_ms: Math.round(firstPrepare),
    later_prepare_ms: +laterPrepare.toFixed(2),
    search_ms: +searchMs.toFixed(3),
  });
  await many.close();
  await hub.closeAll();
}
