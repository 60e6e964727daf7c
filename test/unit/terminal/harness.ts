import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { TerminalConfigSchema, type TerminalConfig } from '../../../shared/config.js';
import type { ToolContent } from '../../../agent-server/core/tool-content.js';
import {
  PermissionGate,
  type PermissionAnswer,
  type PermissionRequest,
  type PermissionRuleStore,
} from '../../../agent-server/permissions/gate.js';
import type { SessionMode } from '../../../agent-server/permissions/policy.js';
import type { TerminalBackend } from '../../../agent-server/terminal/backend.js';
import { BackgroundProcesses } from '../../../agent-server/terminal/background.js';
import { createTerminalTools } from '../../../agent-server/terminal/index.js';
import type { AnyTool, ToolContext, ToolResult } from '../../../agent-server/tools/types.js';
import { DiskWorkspace } from '../../../agent-server/workspace/disk-workspace.js';
import { PathPolicy } from '../../../agent-server/workspace/paths.js';

/** Remembered answers kept in memory. */
export class MemoryRules implements PermissionRuleStore {
  readonly rules = new Map<string, 'allow' | 'deny'>();
  lookup(key: string): 'allow' | 'deny' | undefined {
    return this.rules.get(key);
  }
  async remember(key: string, verdict: 'allow' | 'deny'): Promise<void> {
    this.rules.set(key, verdict);
  }
}

export interface Harness {
  workspace: string;
  asked: PermissionRequest[];
  progress: ToolContent[][];
  processes: BackgroundProcesses;
  terminal: AnyTool;
  process: AnyTool;
  /** Answer given to permission prompts. */
  answer: PermissionAnswer;
  mode: SessionMode;
  run(tool: AnyTool, input: unknown, signal?: AbortSignal): Promise<ToolResult>;
  close(): Promise<void>;
}

export async function createHarness(
  backend: TerminalBackend | ((workspace: string) => TerminalBackend),
  config: Partial<TerminalConfig> = {},
): Promise<Harness> {
  const workspace = await mkdtemp(path.join(os.tmpdir(), 'cairn-term-ws-'));
  const fullConfig = TerminalConfigSchema.parse(config);
  const processes = new BackgroundProcesses(fullConfig.maxBackgroundProcesses);
  const [terminal, proc] = createTerminalTools({ config: fullConfig, processes });
  const term = typeof backend === 'function' ? backend(workspace) : backend;
  const rules = new MemoryRules();
  const h: Harness = {
    workspace,
    asked: [],
    progress: [],
    processes,
    terminal: terminal!,
    process: proc!,
    answer: 'allow_once',
    mode: 'auto',
    async run(tool, input, signal = new AbortController().signal) {
      const gate = new PermissionGate(
        () => h.mode,
        {
          ask: async (req) => {
            h.asked.push(req);
            return h.answer;
          },
        },
        rules,
      );
      const ctx: ToolContext = {
        sessionId: 's1',
        toolCallId: `call-${h.asked.length}-${Date.now()}`,
        workspace: new DiskWorkspace(new PathPolicy(workspace)),
        terminal: term,
        permissions: gate,
        signal,
        progress: (content) => h.progress.push(content),
      };
      const parsed = tool.inputSchema.parse(input);
      return tool.run(parsed, ctx);
    },
    async close() {
      await processes.killAll();
      await term.dispose();
      await rm(workspace, { recursive: true, force: true });
    },
  };
  return h;
}

/** Process ids whose command line contains `marker` (checked with the real `ps`). */
export async function processesMatching(marker: string): Promise<string[]> {
  const { execFileSync } = await import('node:child_process');
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.includes(marker) && !line.includes('ps -eo'))
    .map((line) => line.trim());
}

/** Polls until `check` is true or gives up after `attempts` (not a timing assertion: a bound). */
export async function eventually(check: () => boolean | Promise<boolean>, attempts = 100): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** A system tool a test needs: in CI its absence fails the test; locally it skips with a reason. */
export function requireTool(available: boolean, what: string): string | false {
  if (available) return false;
  if (process.env.CI) throw new Error(`${what} is required in CI but is not installed.`);
  return `${what} is not installed`;
}
