import { execFile } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import type { TerminalConfig } from '../../shared/config.js';
import { loadShellSyntax } from '../terminal/command-safety.js';
import { cleanOutput, explainExitCode, tailForDisplay } from '../terminal/output.js';
import { readOnlyCommand } from '../terminal/read-only-commands.js';
import { PathOutsideWorkspaceError } from '../workspace/paths.js';
import { shortenCommand } from './terminal.js';
import { defineTool, ToolError, type ToolDefinition } from './types.js';

const Input = z
  .object({
    command: z
      .string()
      .min(1)
      .describe('A read-only command line, e.g. `git log --oneline -20`, `rg -n "oldApi" src`, `ls -la`'),
    workdir: z
      .string()
      .optional()
      .describe('Working directory, relative to the workspace root (default: the root)'),
  })
  .strict();

/**
 * git's own writes and hooks a "read" could set off: `git status` refreshing the index (optional
 * locks), and a repository's `core.fsmonitor` program run by status and diff.
 */
const READ_ONLY_GIT: Record<string, string> = {
  GIT_OPTIONAL_LOCKS: '0',
  GIT_CONFIG_COUNT: '1',
  GIT_CONFIG_KEY_0: 'core.fsmonitor',
  GIT_CONFIG_VALUE_0: 'false',
};

const execFileAsync = promisify(execFile);

/**
 * Config keys whose programs the read-only git subcommands can start (diff and textconv drivers
 * on log -p/show/diff/blame, clean filters on status, gpg on signature checks) or that move the
 * work tree elsewhere. The pager never runs (output is not a terminal) and fsmonitor is
 * overridden above; what only writes, fetches or edits (hooks, ssh, editors) has no read here
 * that starts it.
 */
const READ_TRIGGERED_GIT_KEY =
  /^(diff\.external|diff\..+\.(textconv|command)|filter\..+\.(clean|smudge|process)|gpg(\..+)?\.program|core\.worktree)$/i;

/**
 * Such keys in a repository's own config (local or worktree scope, includes resolved).
 * `git config --list` only reads files. Outside a repository: none.
 */
async function codeRunningGitConfig(dir: string): Promise<string[]> {
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync('git', ['config', '--list', '--show-scope', '-z'], {
      cwd: dir,
      maxBuffer: 4 * 1024 * 1024,
    }));
  } catch (err) {
    // Not a repository, or no git: nothing of the repository's to distrust (the run will say).
    if ((err as { code?: unknown }).code === 'ENOENT' || typeof (err as { code?: unknown }).code === 'number')
      return [];
    throw err;
  }
  const keys = new Set<string>();
  // -z: each entry is its scope, NUL, then the key, a newline and the value, NUL.
  const parts = stdout.split('\0');
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const scope = parts[i]!;
    const key = parts[i + 1]!.split('\n')[0]!;
    if ((scope === 'local' || scope === 'worktree') && READ_TRIGGERED_GIT_KEY.test(key)) keys.add(key);
  }
  return [...keys];
}

/**
 * `read_command`: the terminal for a session that may only look (a delegated task with the
 * `read` toolset). It runs a command only when read-only-commands.ts judges it read-only, in the
 * session's terminal backend (the sandbox where there is one), with no approval (it is a read,
 * like read_file); anything else is refused with the reason, and nothing runs.
 */
export function createReadCommandTool(config: TerminalConfig): ToolDefinition<z.infer<typeof Input>> {
  return defineTool({
    name: 'read_command',
    description:
      'Run a read-only shell command in the workspace and get its output: listing and searching files ' +
      '(ls, find, rg, grep, cat, head, wc, tree) and reading git history (git log, show, diff, status, blame, ' +
      'grep). Pipes and && are fine; commands that write files, redirect output to a file, run other ' +
      `programs or need the network are refused. Timeout ${config.timeoutSec} s.`,
    inputSchema: Input,
    kind: 'search',
    readOnly: true,
    describe: (input) => ({ title: shortenCommand(input.command) }),
    async run(input, ctx) {
      let cwd: string;
      try {
        cwd = ctx.workspace.paths.resolve(input.workdir ?? '.');
      } catch (err) {
        if (err instanceof PathOutsideWorkspaceError) throw new ToolError(err.message);
        throw err;
      }
      await loadShellSyntax();
      const verdict = readOnlyCommand(input.command, {
        home: os.homedir(),
        workspace: ctx.workspace.paths.root,
        cwd,
      });
      if (!verdict.readOnly)
        throw new ToolError(
          `Refused: only read-only commands run here, and this one is not (${verdict.reason}). ` +
            'Nothing was run. Use read_file or search_files, or report that the task needs the edit toolset.',
        );
      // Auto-run as a read, so a repository must not be able to turn git into a program runner.
      for (const dir of verdict.gitDirs) {
        const keys = await codeRunningGitConfig(path.resolve(cwd, dir));
        if (keys.length)
          throw new ToolError(
            `Refused: the repository's git config sets ${keys.join(', ')}, which git would run as a program ` +
              'or use to look elsewhere, so read_command does not run git there. Nothing was run. ' +
              'Report that git needs the terminal (which asks the user).',
          );
      }
      const result = await ctx.terminal.run({
        command: input.command,
        cwd,
        timeoutMs: config.timeoutSec * 1000,
        signal: ctx.signal,
        env: READ_ONLY_GIT,
      });
      const output = cleanOutput(result.output).replace(/\n+$/, '') || '(no output)';
      const explained = explainExitCode(input.command, result.exitCode, result.signal);
      const ending = result.cancelled
        ? 'Cancelled before it finished.'
        : result.timedOut
          ? `Timed out after ${config.timeoutSec} s and was stopped.`
          : `Exit code: ${result.exitCode ?? `none (signal ${result.signal ?? 'unknown'})`}${explained ? `. ${explained}` : ''}`;
      return {
        forModel: `${output}\n\n${ending}`,
        content: [{ type: 'text', text: '```\n' + tailForDisplay(output) + '\n```\n' + ending }],
        rawOutput: { exitCode: result.exitCode, timedOut: result.timedOut, cancelled: result.cancelled },
        ...(result.cancelled
          ? { outcome: 'cancelled' as const }
          : result.timedOut
            ? { outcome: 'failed' as const, reason: `Timed out after ${config.timeoutSec} s` }
            : {}),
      };
    },
  });
}
