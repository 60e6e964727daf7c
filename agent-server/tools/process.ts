import { z } from 'zod';
import type { TerminalConfig } from '../../shared/config.js';
import type { BackgroundProcess, BackgroundProcesses } from '../terminal/background.js';
import { cleanOutput, explainExitCode } from '../terminal/output.js';
import { shortenCommand } from './terminal.js';
import { backgroundPlantedWarnings } from './background-planted.js';
import { defineTool, ToolError, type ToolDefinition, type ToolResult } from './types.js';
import { errorMessage } from '../../shared/error-message.js';

const DEFAULT_WAIT_SEC = 30;

const Input = z
  .object({
    action: z.enum(['list', 'poll', 'log', 'wait', 'kill', 'write']),
    id: z.string().optional().describe('Process id from terminal {background: true} (all actions but list)'),
    input: z
      .string()
      .optional()
      .describe('Text to send to the process stdin (write); include "\\n" to end a line'),
    timeout: z.number().positive().optional().describe(`Seconds to wait (wait; default ${DEFAULT_WAIT_SEC})`),
  })
  .strict();
export type ProcessInput = z.infer<typeof Input>;

function statusLine(p: BackgroundProcess): string {
  const age = Math.round((Date.now() - p.startedAt) / 1000);
  let state: string = p.status;
  if (p.status === 'exited' && p.result) {
    const code = p.result.exitCode ?? `signal ${p.result.signal ?? '?'}`;
    const why = explainExitCode(p.command, p.result.exitCode, p.result.signal);
    state = `exited with code ${code}${why ? ` (${why})` : ''}`;
  }
  return `${p.id}: ${state}, started ${age} s ago — ${shortenCommand(p.command)}`;
}

export function createProcessTool(deps: {
  config: TerminalConfig;
  processes: BackgroundProcesses;
}): ToolDefinition<ProcessInput> {
  const { config, processes } = deps;
  // Whole: the tool runner cuts what the model reads, in one place.
  const view = cleanOutput;

  const tool = defineTool({
    name: 'process',
    description:
      'Manage commands started with terminal {background: true}: list them; poll (new output since the last ' +
      'poll and status); log (all output kept); wait (until it exits or the timeout); kill (the whole process ' +
      'tree); write (send text to its stdin).',
    inputSchema: Input,
    kind: 'execute',
    readOnly: false,
    describe(input) {
      return { title: input.id ? `process ${input.action} ${input.id}` : `process ${input.action}` };
    },
    async run(input, ctx) {
      if (input.action === 'list') {
        const all = processes.list();
        return { forModel: all.length ? all.map(statusLine).join('\n') : 'No background processes.' };
      }
      if (!input.id) throw new ToolError(`The "${input.action}" action needs the process id.`);
      const proc = processes.get(input.id);
      if (!proc) {
        const known = processes.list().map((p) => p.id);
        throw new ToolError(
          `No background process "${input.id}". Known: ${known.length ? known.join(', ') : 'none'}.`,
        );
      }
      switch (input.action) {
        case 'poll': {
          const fresh = proc.takeNewOutput();
          return { forModel: `${statusLine(proc)}\n${fresh ? view(fresh) : '(no new output)'}` };
        }
        case 'log':
          return { forModel: `${statusLine(proc)}\n${view(proc.output.text()) || '(no output yet)'}` };
        case 'wait': {
          const seconds = Math.min(input.timeout ?? DEFAULT_WAIT_SEC, config.maxTimeoutSec);
          let timer: NodeJS.Timeout | undefined;
          const timedOut = new Promise<'timeout'>((resolve) => {
            timer = setTimeout(() => resolve('timeout'), seconds * 1000);
          });
          const aborted = new Promise<'aborted'>((resolve) => {
            if (ctx.signal.aborted) resolve('aborted');
            ctx.signal.addEventListener('abort', () => resolve('aborted'), { once: true });
          });
          const outcome = await Promise.race([proc.done.then(() => 'done' as const), timedOut, aborted]);
          clearTimeout(timer);
          const note = outcome === 'timeout' ? `Still running after ${seconds} s.\n` : '';
          return {
            forModel: `${note}${statusLine(proc)}\n${view(proc.takeNewOutput()) || '(no new output)'}`,
          };
        }
        case 'kill':
          if (proc.status === 'running') await proc.kill();
          return { forModel: `${statusLine(proc)}\n${view(proc.takeNewOutput())}`.trimEnd() };
        case 'write':
          if (input.input === undefined) throw new ToolError('The "write" action needs "input".');
          try {
            await proc.write(input.input);
          } catch (err) {
            throw new ToolError(errorMessage(err));
          }
          return { forModel: `Wrote ${input.input.length} characters to ${proc.id}.` };
      }
    },
  });
  return {
    ...tool,
    run: async (input, ctx) => withPlantedWarnings(await tool.run(input, ctx), input, processes),
  };
}

/** Adds what background commands planted since last looked at (files that run code outside the sandbox). */
function withPlantedWarnings(
  result: ToolResult,
  input: ProcessInput,
  processes: BackgroundProcesses,
): ToolResult {
  const watched = input.id ? processes.list().filter((p) => p.id === input.id) : processes.list();
  const warnings = backgroundPlantedWarnings(watched);
  if (!warnings.length) return result;
  const text = warnings.join('\n');
  return {
    ...result,
    forModel: `${result.forModel}\n\n${text}`,
    content: [...(result.content ?? [{ type: 'text', text: result.forModel }]), { type: 'text', text }],
  };
}
