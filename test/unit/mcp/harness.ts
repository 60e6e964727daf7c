/** Shared pieces for the MCP tests: a real PermissionGate with a scripted human, and a ToolContext. */
import {
  PermissionGate,
  type PermissionAnswer,
  type PermissionRequest,
} from '../../../agent-server/permissions/gate.js';
import type { SessionMode } from '../../../agent-server/permissions/policy.js';
import type { ToolContext, ToolDefinition, ToolResult } from '../../../agent-server/tools/types.js';
import type { ToolContent } from '../../../agent-server/core/tool-content.js';
import { McpHub } from '../../../agent-server/mcp/index.js';

export class ScriptedHuman {
  asked: PermissionRequest[] = [];
  constructor(public answer: PermissionAnswer = 'allow_once') {}
  async ask(request: PermissionRequest): Promise<PermissionAnswer> {
    this.asked.push(request);
    return this.answer;
  }
}

export class MemoryRules {
  rules = new Map<string, 'allow' | 'deny'>();
  lookup(key: string) {
    return this.rules.get(key);
  }
  async remember(key: string, verdict: 'allow' | 'deny') {
    this.rules.set(key, verdict);
  }
}

export function makeGate(mode: SessionMode = 'ask', human = new ScriptedHuman()) {
  const rules = new MemoryRules();
  const gate = new PermissionGate(() => mode, human, rules);
  return { gate, human, rules };
}

export function makeContext(
  gate: PermissionGate,
  signal = new AbortController().signal,
): ToolContext & { progressed: ToolContent[][] } {
  const progressed: ToolContent[][] = [];
  return {
    sessionId: 'test-session',
    toolCallId: `call-${Math.random().toString(36).slice(2)}`,
    workspace: undefined as never,
    terminal: undefined as never,
    permissions: gate,
    signal,
    progress: (content) => progressed.push(content),
    progressed,
  };
}

export function findTool(tools: ToolDefinition[], name: string): ToolDefinition<Record<string, unknown>> {
  const tool = tools.find((t) => t.name === name);
  if (!tool) throw new Error(`no tool ${name}; have ${tools.map((t) => t.name).join(', ')}`);
  return tool as ToolDefinition<Record<string, unknown>>;
}

export async function runTool(
  tool: ToolDefinition<Record<string, unknown>>,
  input: Record<string, unknown>,
  ctx: ToolContext,
): Promise<ToolResult> {
  return tool.run(tool.inputSchema.parse(input), ctx);
}

export const logs: string[] = [];
export function makeHub(overrides: { startupTimeoutMs?: number; callTimeoutMs?: number } = {}): McpHub {
  return new McpHub({
    startupTimeoutMs: overrides.startupTimeoutMs ?? 20_000,
    callTimeoutMs: overrides.callTimeoutMs ?? 30_000,
    log: (line) => logs.push(line),
  });
}

/** Waits until `check` holds, polling; the test's own timeout bounds it. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  limitMs = 20_000,
): Promise<void> {
  const until = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
