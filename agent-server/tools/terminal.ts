import * as os from 'node:os';
import { z } from 'zod';
import type { TerminalConfig } from '../../shared/config.js';
import type { ToolContent } from '../core/tool-content.js';
import type { BackgroundProcesses } from '../terminal/background.js';
import type { CommandResult } from '../terminal/backend.js';
import { namesCodeRunningPath } from '../terminal/code-running-writes.js';
import { classifyCommand, loadShellSyntax } from '../terminal/command-safety.js';
import { startPlantedFilesCheck, type PlantedFilesReport } from '../security/planted-files-check.js';
import { cleanOutput, explainExitCode, tailForDisplay } from '../terminal/output.js';
import { PathOutsideWorkspaceError } from '../workspace/paths.js';
import { backgroundPlantedWarnings, watchBackgroundProcess } from './background-planted.js';
import { deniedOutcome } from './denied-outcome.js';
import { defineTool, ToolError, type ToolContext, type ToolDefinition } from './types.js';
import { errorMessage } from '../../shared/error-message.js';

/** Live output updates at most this often (ACP clients re-render the whole content). */
const PROGRESS_INTERVAL_MS = 150;
const TITLE_MAX = 80;

const Input = z
  .object({
    command: z.string().min(1).describe('Shell command line (run with sh -c in the workspace)'),
    timeout: z.number().positive().optional().describe('Seconds before the command is stopped'),
    workdir: z
      .string()
      .optional()
      .describe('Working directory, relative to the workspace root (default: the root)'),
    background: z
      .boolean()
      .optional()
      .describe('Start it in the background (servers, watchers) and return an id for the process tool'),
  })
  .strict();
export type TerminalInput = z.infer<typeof Input>;

export function shortenCommand(command: string, max = TITLE_MAX): string {
  const oneLine = command.replace(/\s+/g, ' ').trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

function resolveWorkdir(ctx: ToolContext, workdir: string | undefined): string {
  try {
    return ctx.workspace.paths.resolve(workdir ?? '.');
  } catch (err) {
    if (err instanceof PathOutsideWorkspaceError) throw new ToolError(err.message);
    throw err;
  }
}

/** Sends output to the client as it arrives, at most every PROGRESS_INTERVAL_MS. */
function throttledProgress(ctx: ToolContext): { push(chunk: string): void; stop(): void } {
  let text = '';
  let timer: NodeJS.Timeout | undefined;
  let last = 0;
  const flush = (): void => {
    timer = undefined;
    last = Date.now();
    const shown = tailForDisplay(cleanOutput(text));
    ctx.progress([{ type: 'text', text: '```\n' + shown + '\n```' }]);
  };
  return {
    push(chunk) {
      text += chunk;
      // Keep memory bounded for chatty commands; the live view only needs the recent part.
      if (text.length > 256 * 1024) text = text.slice(-128 * 1024);
      if (timer) return;
      timer = setTimeout(flush, Math.max(0, PROGRESS_INTERVAL_MS - (Date.now() - last)));
    },
    stop() {
      clearTimeout(timer);
    },
  };
}

function describeOutcome(command: string, result: CommandResult, timeoutSec: number): string {
  if (result.cancelled) return 'The command was cancelled by the user before it finished.';
  if (result.timedOut) {
    return `The command timed out after ${timeoutSec} s and was stopped. For long-running work pass a larger timeout, or background: true.`;
  }
  const code =
    result.exitCode === null ? `none (signal ${result.signal ?? 'unknown'})` : String(result.exitCode);
  const explanation = explainExitCode(command, result.exitCode, result.signal);
  return `Exit code: ${code}${explanation ? `. ${explanation}` : ''}`;
}

export function createTerminalTool(deps: {
  config: TerminalConfig;
  processes: BackgroundProcesses;
}): ToolDefinition<TerminalInput> {
  const { config, processes } = deps;
  return defineTool({
    name: 'terminal',
    description:
      'Run a shell command in the workspace and get its output and exit code. ' +
      `Default timeout ${config.timeoutSec} s (max ${config.maxTimeoutSec} s). ` +
      'Output is stripped of colours. Commands left running when ' +
      'the command ends are stopped: start servers and watchers with background: true, then use the process tool. ' +
      'Stdin is empty, so never run interactive programs in the foreground.',
    inputSchema: Input,
    kind: 'execute',
    readOnly: false,
    asksApproval: true,
    describe(input) {
      return { title: shortenCommand(input.command) + (input.background ? ' (background)' : '') };
    },
    async run(input, ctx) {
      const cwd = resolveWorkdir(ctx, input.workdir);
      await loadShellSyntax();
      const risk = classifyCommand(input.command, {
        home: os.homedir(),
        workspace: ctx.workspace.paths.root,
        cwd,
      });
      if (risk.level === 'blocked') {
        throw new ToolError(`Blocked: this command is never run. ${risk.reasons.join(' ')}`);
      }
      const title = shortenCommand(input.command);
      // A command that asks anyway and names a file that runs code later says so plainly, and
      // is never covered by an "always" answer (like an edit of such a file).
      const plants =
        risk.level === 'dangerous'
          ? namesCodeRunningPath(input.command, ctx.workspace.paths.root)
          : undefined;
      const reasons = [...risk.reasons];
      if (plants && !reasons.some((r) => r.includes('outside the sandbox')))
        reasons.push(`It may write a file that runs code outside the sandbox ${plants}.`);
      const permission = await ctx.permissions.request(
        {
          toolCallId: ctx.toolCallId,
          toolName: 'terminal',
          category: 'execute',
          kind: 'execute',
          title: risk.level === 'dangerous' ? `${title} — ${reasons.join(' ')}` : title,
          ruleKey: 'execute:' + input.command,
          dangerous: risk.level === 'dangerous',
          ...(plants ? { runsOutsideSandbox: true } : {}),
          rawInput: input,
        },
        ctx.signal,
      );
      if (!permission.allowed) {
        return {
          forModel: `The command was not run. ${permission.message}`,
          rawOutput: { ran: false },
          ...deniedOutcome(permission),
        };
      }

      if (input.background) {
        const roots = ctx.workspace.paths.realRoots;
        const check =
          ctx.terminal.name === 'ssh' ? undefined : startPlantedFilesCheck(roots, { userHome: os.homedir() });
        let proc;
        try {
          proc = processes.start(ctx.terminal, input.command, cwd);
        } catch (err) {
          throw new ToolError(errorMessage(err));
        }
        if (check) watchBackgroundProcess(proc, check, roots, !permission.byUser);
        return {
          forModel:
            `Started in the background as ${proc.id}. Use the process tool with id "${proc.id}" ` +
            '(poll for new output, log, wait, write, kill).',
          content: [{ type: 'text', text: `Started \`${title}\` in the background as ${proc.id}.` }],
          rawOutput: { id: proc.id, background: true },
        };
      }

      const timeoutSec = Math.min(input.timeout ?? config.timeoutSec, config.maxTimeoutSec);
      const live = throttledProgress(ctx);
      let terminalId: string | undefined;
      let result: CommandResult;
      // Files that run code outside the sandbox later and did not exist yet (so the sandbox could
      // not mount them read-only), or that a local command changed: reported, and moved aside
      // when nobody approved the command. Remote backends write elsewhere.
      const planted =
        ctx.terminal.name === 'ssh'
          ? undefined
          : startPlantedFilesCheck(ctx.workspace.paths.realRoots, { userHome: os.homedir() });
      const finishPlanted = (): PlantedFilesReport | undefined =>
        planted?.finish({ quarantine: !permission.byUser });
      try {
        result = await ctx.terminal.run({
          command: input.command,
          cwd,
          timeoutMs: timeoutSec * 1000,
          signal: ctx.signal,
          onOutput: (chunk) => {
            if (!terminalId) live.push(chunk);
          },
          onStart: (started) => {
            if (!started.terminalId) return;
            terminalId = started.terminalId;
            ctx.progress([{ type: 'terminal', terminalId }]);
          },
        });
      } catch (err) {
        const warnings = finishPlanted()?.warnings ?? [];
        if (warnings.length) throw new ToolError(`${errorMessage(err)}\n\n${warnings.join('\n')}`);
        throw err;
      } finally {
        live.stop();
      }
      terminalId ??= result.terminalId;
      const report = finishPlanted();
      // Background commands are looked at too: a server may have planted something meanwhile.
      const allWarnings = [...(report?.warnings ?? []), ...backgroundPlantedWarnings(processes.list())];
      const warnings = allWarnings.length ? `\n\n${allWarnings.join('\n')}` : '';

      // Whole: the tool runner cuts what the model reads (and saves the rest) in one place.
      const cleaned = cleanOutput(result.output).replace(/\n+$/, '') || '(no output)';
      const outcome = describeOutcome(input.command, result, timeoutSec);
      const forModel = `${cleaned}\n\n${outcome}${warnings}`;
      const content: ToolContent[] = terminalId
        ? [{ type: 'terminal', terminalId }]
        : [{ type: 'text', text: '```\n' + tailForDisplay(cleaned) + '\n```\n' + outcome }];
      if (warnings) content.push({ type: 'text', text: warnings.trim() });
      return {
        forModel,
        content,
        rawOutput: {
          exitCode: result.exitCode,
          signal: result.signal,
          timedOut: result.timedOut,
          cancelled: result.cancelled,
          truncated: Boolean(result.outputTruncated),
          ...(report?.findings.length
            ? {
                plantedFiles: report.findings.map((f) => ({
                  path: f.shown,
                  change: f.change,
                  quarantinedTo: f.quarantinedTo,
                })),
              }
            : {}),
        },
        // A command that ran to its end completed, whatever its exit code (the model reads it).
        ...(result.cancelled
          ? { outcome: 'cancelled' as const }
          : result.timedOut
            ? { outcome: 'failed' as const, reason: `Timed out after ${timeoutSec} s and was stopped` }
            : {}),
      };
    },
  });
}
