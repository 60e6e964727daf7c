import * as path from 'node:path';
import { statSync } from 'node:fs';
import { text as readAll } from 'node:stream/consumers';
import { parseArgs } from 'node:util';
import { SESSION_MODES } from '../permissions/policy.js';
import { runPromptLocally, type ApprovalPolicy } from './local-client.js';
import { errorMessage } from '../../shared/error-message.js';

export const RUN_HELP = `Usage: cairn run [options] PROMPT
       echo PROMPT | cairn run [options]      (or: cairn run [options] -)

Runs one prompt headless in the current folder, streaming the answer to stdout. Edits and
commands ask on the terminal; without a terminal, whatever the flags do not approve is
refused, listed at the end, and the exit code is 3.

Options:
  --yes, -y           Approve every edit and command, except dangerous commands
                      (git push --force, curl … | sh, sudo, …), which still ask
  --allow-dangerous   With --yes: approve dangerous commands too, without asking
  --approve edits     Approve edits; commands still ask
  --approve none      Refuse everything that would ask
  --mode MODE         ${SESSION_MODES.map((m) => m.id).join(' | ')} (default: agent.defaultMode)
  --cwd DIR           Work in DIR (an existing folder) instead of the current one
  --task FILE --out DIR
                      Run one batch task (a JSON object like a line of a cairn batch file)
                      unattended in its own copy of its folder; its result is appended to
                      DIR/results.jsonl and printed as a JSON line, its trajectory goes to
                      DIR/trajectories/ (what cairn batch --hosts runs on each host)
  --help, -h          This help

Exit codes: 0 done, 1 failed (model, config), 2 bad arguments, 3 something was refused, 130 cancelled.
`;

/** Exit code when the run finished but refused actions nobody could approve. */
export const EXIT_REFUSED = 3;

const fail = (message: string): number => {
  process.stderr.write(`cairn run: ${message}\n`);
  return 2;
};

/** `cairn run [options] PROMPT`: one prompt, headless, in the current folder. */
export async function runCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        yes: { type: 'boolean', short: 'y' },
        'allow-dangerous': { type: 'boolean' },
        approve: { type: 'string' },
        mode: { type: 'string' },
        cwd: { type: 'string' },
        task: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    return fail(`${errorMessage(err)}\n\n${RUN_HELP}`);
  }
  const { yes, approve, mode, cwd, help } = parsed.values;
  if (help) {
    process.stdout.write(RUN_HELP);
    return 0;
  }
  if (parsed.values.task !== undefined || parsed.values.out !== undefined) {
    if (!parsed.values.task || !parsed.values.out) return fail('--task and --out go together');
    if (parsed.positionals.length) return fail('--task takes its prompt from the task file');
    const { runTaskCommand } = await import('./batch-command.js');
    return runTaskCommand(parsed.values.task, parsed.values.out, {
      out: (s) => process.stdout.write(s),
      err: (s) => process.stderr.write(s),
    });
  }
  if (approve && approve !== 'edits' && approve !== 'all' && approve !== 'none')
    return fail('--approve takes edits, all or none');
  if (mode && !SESSION_MODES.some((m) => m.id === mode))
    return fail(`unknown mode "${mode}"; the modes are ${SESSION_MODES.map((m) => m.id).join(', ')}`);
  if (parsed.values['allow-dangerous'] && !yes && approve !== 'all')
    return fail('--allow-dangerous only widens --yes; give both');
  const workDir = path.resolve(cwd ?? process.cwd());
  if (cwd && !isDirectory(workDir)) return fail(`--cwd ${cwd}: no such folder`);

  const fromStdin =
    (parsed.positionals.length === 1 && parsed.positionals[0] === '-') ||
    (parsed.positionals.length === 0 && !process.stdin.isTTY);
  const prompt = (fromStdin ? await readAll(process.stdin) : parsed.positionals.join(' ')).trim();
  if (!prompt)
    return fail(
      fromStdin
        ? 'the prompt read from stdin is empty'
        : 'give a prompt, e.g. cairn run "explain src/main.ts" (or pipe it in)',
    );

  const approvals: ApprovalPolicy = yes ? 'all' : ((approve as ApprovalPolicy | undefined) ?? 'ask');
  const controller = new AbortController();
  const onSigint = () => {
    process.stderr.write('\ncairn: cancelling…\n');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  const startedAt = new Date();
  try {
    const { stopReason, refusalSummary } = await runPromptLocally({
      cwd: workDir,
      prompt,
      approvals,
      allowDangerous: !!parsed.values['allow-dangerous'],
      mode,
      env: process.env,
      out: (s) => process.stdout.write(s),
      err: (s) => process.stderr.write(s),
      signal: controller.signal,
    });
    if (refusalSummary) process.stderr.write(refusalSummary);
    const checkpoint = await (
      await import('./checkpoints-command.js')
    ).checkpointLineSince(workDir, process.env, startedAt);
    if (checkpoint) process.stderr.write(`${checkpoint}\n`);
    if (stopReason === 'cancelled') return 130;
    if (stopReason !== 'end_turn') {
      process.stderr.write(`cairn: the turn stopped early: ${STOP_REASONS[stopReason] ?? stopReason}\n`);
      return 1;
    }
    return refusalSummary ? EXIT_REFUSED : 0;
  } catch (err) {
    process.stderr.write(`cairn: ${errorMessage(err)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

const STOP_REASONS: Record<string, string> = {
  max_tokens: 'the model reached its output limit',
  max_turn_requests: 'the turn reached agent.maxTurnRequests model requests',
  refusal: 'the model refused',
};

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
