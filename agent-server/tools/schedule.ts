import { statSync } from 'node:fs';
import { z } from 'zod';
import { describeSchedule, nextRuns, parseCron, parseEvery } from '../jobs/job-schedule.js';
import { JobStore } from '../jobs/job-store.js';
import { JOB_MODES, type Job, type JobSchedule } from '../jobs/job-types.js';
import { deniedOutcome } from './denied-outcome.js';
import { defineTool, ToolError, type ToolResult } from './types.js';

const ScheduleInput = z
  .object({
    prompt: z.string().min(1).describe('What the job asks each time it runs, as a complete instruction'),
    cron: z.string().optional().describe('Cron schedule in local time, e.g. "0 9 * * 1" (Mondays at 9:00)'),
    every: z.string().optional().describe('Or a fixed interval: 30m, 2h, 1d, 1h30m (at least 1m)'),
    name: z.string().max(60).optional().describe('A short name for the job'),
    cwd: z.string().optional().describe('Folder the job works in, inside the workspace (default: its root)'),
    mode: z
      .enum(JOB_MODES)
      .optional()
      .describe('plan (default, read-only), accept-edits or auto: what the job may do without anyone there'),
    allowCommands: z
      .array(z.string().min(1))
      .optional()
      .describe('Commands the job may run (* matches anything), e.g. "npm outdated*"; nothing else runs'),
  })
  .strict();

type Input = z.infer<typeof ScheduleInput>;

const when = (t: number) => new Date(t).toLocaleString('sv-SE').slice(0, 16);

/** The job exactly as it would be stored, shown to the user before anything is created. */
export function describeJobForApproval(job: Omit<Job, 'id'>, now: number): string {
  const next = nextRuns(job.schedule, job.createdAt, now, 3).map(when).join(', ');
  return [
    `Schedule a job "${job.name}"`,
    `  schedule: ${describeSchedule(job.schedule)} — next: ${next || '(never)'}`,
    `  folder:   ${job.cwd}`,
    `  mode:     ${job.grants.mode}${job.grants.mode === 'plan' ? ' (read-only)' : ''}`,
    `  commands: ${job.grants.allowCommands.join(', ') || '(none)'}`,
    `  prompt:   ${job.prompt}`,
    'It runs unattended while the scheduler runs (cairn jobs serve, or cairn jobs install); anything else it tries is refused.',
  ].join('\n');
}

function scheduleOf(input: Input): JobSchedule {
  if (!input.cron === !input.every) throw new ToolError('Give exactly one of "cron" or "every".');
  try {
    return input.cron ? parseCron(input.cron) : parseEvery(input.every!);
  } catch (err) {
    throw new ToolError((err as Error).message.replace(/^--(cron|every)/, '$1'));
  }
}

/**
 * `schedule`: the agent creates a scheduled job when the user asks for recurring work. Every
 * call asks the user, whatever the mode, showing the exact job; nothing is created unless they
 * allow it. Offered only in sessions a person is in: never to a job, a batch task or a child.
 */
export function createScheduleTool(opts: { home: string; now?: () => number }) {
  const now = opts.now ?? Date.now;
  return defineTool<Input>({
    name: 'schedule',
    description:
      'Create a scheduled job that runs a prompt unattended on a schedule (e.g. "check the dependencies every Monday"). ' +
      'The user approves the exact job. Jobs default to plan mode (read-only); grant a mode or commands only when the task needs them.',
    inputSchema: ScheduleInput,
    kind: 'other',
    readOnly: false,
    asksApproval: true,
    describe: (input) => ({
      title: `Schedule job${input.name ? ` "${input.name}"` : ''} (${input.cron ? `cron ${input.cron}` : `every ${input.every ?? '?'}`})`,
    }),
    async run(input, ctx): Promise<ToolResult> {
      const schedule = scheduleOf(input);
      const cwd = ctx.workspace.paths.resolve(input.cwd ?? '.');
      if (!isDirectory(cwd)) throw new ToolError(`${input.cwd ?? cwd} is not a folder.`);
      const at = now();
      const job: Omit<Job, 'id'> = {
        name: input.name?.trim() || input.prompt.split(/\s+/).slice(0, 5).join(' ').slice(0, 40),
        prompt: input.prompt,
        cwd,
        schedule,
        grants: { mode: input.mode ?? 'plan', allowCommands: input.allowCommands ?? [] },
        paused: false,
        catchUp: 'once',
        createdAt: at,
        checkedAt: at,
      };
      const shown = describeJobForApproval(job, at);
      const decision = await ctx.permissions.request(
        {
          toolCallId: ctx.toolCallId,
          toolName: 'schedule',
          category: 'execute',
          kind: 'other',
          title: `Schedule job "${job.name}": ${describeSchedule(schedule)}, mode ${job.grants.mode}`,
          ruleKey: 'schedule',
          // A job acts later, without anyone there: every one is put to the user, in every mode,
          // and no "always" answer covers the next.
          runsOutsideSandbox: true,
          content: [{ type: 'text', text: shown }],
          rawInput: input,
        },
        ctx.signal,
      );
      if (!decision.allowed)
        return { forModel: `No job was created: ${decision.message}`, ...deniedOutcome(decision) };
      const created = await new JobStore(opts.home).add(job);
      return {
        forModel: `Created job ${created.id}.\n${shown}\nThe user can list, pause or remove it with cairn jobs.`,
        content: [{ type: 'text', text: `Created job ${created.id}\n${shown}` }],
      };
    },
  });
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
