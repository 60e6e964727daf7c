import { z } from 'zod';
import type { ToolContent } from '../core/tool-content.js';
import { defineTool, type AnyTool } from './types.js';

/** What a delegated task may use: `read` looks only, `edit` also changes files and runs commands. */
export const TOOLSETS = ['read', 'edit', 'full'] as const;
export type Toolset = (typeof TOOLSETS)[number];

export interface DelegatedTask {
  goal: string;
  context?: string;
  /** Unset: the role's toolset, else `read`. */
  toolset?: Toolset;
  /** A delegate role (a skill marked as one) whose instructions the child follows. */
  role?: string;
  /** Less wall time than the configured limit, when the call asks for it. */
  timeoutSec?: number;
}

/** How a child session ended, as the parent reads it. Never "done" unless it finished its turn. */
export type ChildOutcome = 'done' | 'failed' | 'cancelled' | 'budget_exhausted';

/** Live state of one child, as shown on the parent's tool card. */
export interface ChildProgress {
  /** What it does now ("reading src/auth.ts"), or how it ended. */
  step: string;
  toolCalls: number;
}

export interface ChildResult {
  /** The child session, in history (for session_search); undefined when it could not be recorded. */
  sessionId: string;
  outcome: ChildOutcome;
  /** Its final answer (or why it ended without one). */
  summary: string;
  /** Files its tools changed, as reported by the edits (workspace paths). */
  changedFiles: string[];
  toolCalls: number;
}

/** Runs delegated tasks as child sessions of the current one (the runtime implements it). */
export interface ChildSessionLauncher {
  readonly maxParallel: number;
  /** The delegate roles this session can name (bundled and from its skills), for the description. */
  roles?(): { name: string; description: string }[];
  run(
    task: DelegatedTask,
    label: string,
    signal: AbortSignal,
    progress: (p: ChildProgress) => void,
    /** The `delegate` call that runs it, so a client can show the child under that call. */
    toolCallId?: string,
  ): Promise<ChildResult>;
}

const TaskSchema = z.object({
  goal: z.string().min(1).max(4000).describe('What the subagent must find out or do, stated fully.'),
  context: z
    .string()
    .max(20_000)
    .optional()
    .describe(
      'What it needs to know from this conversation (it does not see it): paths, findings, constraints.',
    ),
  toolset: z
    .enum(TOOLSETS)
    .optional()
    .describe(
      'read: read, search and read-only commands (default); edit: also edit files and run commands; full: all tools. ' +
        "Default: the role's toolset, else read.",
    ),
  role: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .describe(
      'A delegate role for the subagent to follow: explorer (maps where something is implemented), reviewer ' +
        '(reviews the current diff, read-only), test-runner (runs the suite, reports failures concisely), or a ' +
        'project skill marked as a role (metadata delegate-role). The goal still says what to do.',
    ),
});

const InputSchema = z.object({
  tasks: z.array(TaskSchema).min(1).max(8),
  timeoutSec: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('Wall time each task may take, in seconds (at most the configured limit).'),
});

/** Runs up to `limit` of `jobs` at once, keeping their order in the results. */
async function runBounded<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results = new Array<T>(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

export function taskLabel(index: number, goal: string, role?: string): string {
  const short = goal.replace(/\s+/g, ' ').trim();
  return `Task ${index + 1}${role ? ` [${role}]` : ''} (${short.length > 48 ? `${short.slice(0, 47)}…` : short})`;
}

function progressText(labels: string[], states: (ChildProgress | undefined)[]): ToolContent[] {
  const lines = labels.map((label, i) => {
    const s = states[i];
    if (!s) return `- ${label}: waiting`;
    return `- ${label}: ${s.step} · ${s.toolCalls} tool call${s.toolCalls === 1 ? '' : 's'}`;
  });
  return [{ type: 'text', text: lines.join('\n') }];
}

function resultText(label: string, r: ChildResult): string {
  const files = r.changedFiles.length ? `\nFiles changed: ${r.changedFiles.join(', ')}` : '';
  return (
    `## ${label}: ${r.outcome}\n` +
    (r.sessionId ? `Child session: ${r.sessionId} (session_search can read it)\n` : '') +
    `Tool calls: ${r.toolCalls}${files}\n\n${r.summary.trim() || '(no answer)'}`
  );
}

/**
 * `delegate`: runs tasks as child sessions with their own context, in parallel up to the
 * launcher's limit, and returns each one's summary. Children ask permissions through this
 * session, so the tool itself needs none (and is offered in plan mode, where children only read).
 */
export function createDelegateTool(launcher: ChildSessionLauncher): AnyTool {
  const tool = defineTool<z.infer<typeof InputSchema>>({
    name: 'delegate',
    description:
      'Run one or more independent tasks as subagents, each in a fresh context of its own (it does not see this ' +
      'conversation: pass what it needs in `context`). They run in parallel and each returns a summary, keeping ' +
      'this conversation small: use it for wide searches, reviews, or runs with long output. Toolset `read` ' +
      '(default) only reads, searches and runs read-only commands; `edit` may also edit files and run commands (asking ' +
      'the user as usual). A task can name a `role` (explorer, reviewer, test-runner, or a project role) to follow.',
    inputSchema: InputSchema,
    kind: 'think',
    readOnly: true,
    describe: (input) => ({
      title:
        input.tasks.length === 1
          ? `Delegate: ${input.tasks[0]!.goal.slice(0, 80)}`
          : `Delegate ${input.tasks.length} tasks`,
    }),
    async run(input, ctx) {
      const labels = input.tasks.map((t, i) => taskLabel(i, t.goal, t.role));
      const states: (ChildProgress | undefined)[] = labels.map(() => undefined);
      const show = () => ctx.progress(progressText(labels, states));
      show();
      const results = await runBounded(
        input.tasks.map((task, i) => async () => {
          states[i] = { step: 'starting', toolCalls: 0 };
          show();
          const result = await launcher.run(
            {
              goal: task.goal,
              ...(task.toolset ? { toolset: task.toolset } : {}),
              ...(task.role ? { role: task.role } : {}),
              ...(task.context ? { context: task.context } : {}),
              ...(input.timeoutSec ? { timeoutSec: input.timeoutSec } : {}),
            },
            labels[i]!,
            ctx.signal,
            (p) => {
              states[i] = p;
              show();
            },
            ctx.toolCallId,
          );
          states[i] = { step: result.outcome, toolCalls: result.toolCalls };
          show();
          return result;
        }),
        launcher.maxParallel,
      );
      const text = results.map((r, i) => resultText(labels[i]!, r)).join('\n\n');
      // The call is shown done only when some task was done; otherwise it says how they ended.
      const anyDone = results.some((r) => r.outcome === 'done');
      const allCancelled = results.every((r) => r.outcome === 'cancelled');
      return {
        ...(anyDone
          ? {}
          : allCancelled
            ? { outcome: 'cancelled' as const, reason: 'Every delegated task was cancelled.' }
            : { outcome: 'failed' as const, reason: 'No delegated task finished.' }),
        forModel: text,
        content: [{ type: 'text', text }],
        rawOutput: {
          tasks: results.map((r, i) => ({ label: labels[i], ...r })),
        },
      };
    },
  });
  // The roles are read when the model is told of the tool (the session's skills load after it).
  const base = tool.description;
  Object.defineProperty(tool, 'description', {
    enumerable: true,
    get: () => {
      let roles: { name: string; description: string }[] = [];
      try {
        roles = launcher.roles?.() ?? [];
      } catch {
        // Asked while the session is still being made (its skills not loaded yet): no roles.
      }
      if (!roles.length) return base;
      const short = (d: string) =>
        d
          .replace(/^Delegate role\s*-\s*/i, '')
          .replace(/\s+/g, ' ')
          .slice(0, 120);
      const list = roles.map((r) => `${r.name} (${short(r.description)})`);
      return `${base} Roles: ${list.join('; ')}.`;
    },
  });
  return tool;
}
