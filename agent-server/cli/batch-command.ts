import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { readResults, runBatch, type BatchProgress, type BatchResult } from '../batch/batch-runner.js';
import { parseBatchTasks } from '../batch/batch-tasks.js';
import { describeHost, parseHostList, parseHostsFile, type BatchHost } from '../batch/ssh-dispatch.js';
import { loadRuntimeServices } from '../runtime/services.js';
import { errorMessage } from '../../shared/error-message.js';

export const BATCH_HELP = `Usage: cairn batch TASKS.jsonl [--concurrency N] [--out DIR] [--retry-failed]
                   [--hosts user@host,... | --hosts-file HOSTS.json]

Runs many prompts unattended. Each line of TASKS.jsonl is
{"id", "prompt", "cwd"? | "repo"? + "ref"?, "mode"?, "model"?}: cwd is relative to the file's
folder (default: that folder); repo is a git repository cloned for the task at ref; mode is
plan (default, read-only), accept-edits or auto. Each task works in its own copy of its folder
(a git worktree of the committed state, a clone, else a copy), removed afterwards; commands
are refused unless mode is auto.

  --concurrency N   Tasks at a time (default 4)
  --out DIR         Where results.jsonl and trajectories/ go (default: TASKS.results next to the file)
  --retry-failed    Run failed and cancelled tasks again (a re-run always skips finished ones)
  --task-timeout M  A task's time budget in minutes (default 30): past it, it is stopped and
                    fails; its model requests are bounded by agent.maxTurnRequests
  --hosts LIST      Run each task on one of these machines over SSH (cairn run --task there),
                    worker N on host N modulo their number; keys from your ssh setup
  --hosts-file F    The same from a JSON array: {host, port?, user?, identityFile?, options?,
                    cairn? (command, default "cairn"), workDir?, baseDir?, env?}

Exit codes: 0 every task completed, 1 some failed or were refused, 2 bad arguments.`;

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Progress rewritten in place on a terminal; plain lines otherwise. */
  tty: boolean;
}

export async function runBatchCommand(argv: string[], io: Io, env = process.env): Promise<number> {
  const usage = (message: string) => {
    io.err(`cairn batch: ${message}\n\n${BATCH_HELP}\n`);
    return 2;
  };
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        concurrency: { type: 'string' },
        out: { type: 'string' },
        'retry-failed': { type: 'boolean' },
        'task-timeout': { type: 'string' },
        hosts: { type: 'string' },
        'hosts-file': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    return usage(errorMessage(err));
  }
  if (parsed.values.help) {
    io.out(`${BATCH_HELP}\n`);
    return 0;
  }
  if (parsed.positionals.length !== 1) return usage('give one tasks file');
  const file = path.resolve(parsed.positionals[0]!);
  const concurrency = Number(parsed.values.concurrency ?? 4);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    return usage('--concurrency takes a whole number from 1 to 64');
  let tasks;
  try {
    tasks = parseBatchTasks(await fs.readFile(file, 'utf8'));
  } catch (err) {
    io.err(`cairn batch: ${file}: ${errorMessage(err)}\n`);
    return 2;
  }
  const timeoutMin = Number(parsed.values['task-timeout'] ?? 30);
  if (!(timeoutMin > 0) || timeoutMin > 24 * 60)
    return usage('--task-timeout takes minutes, more than 0 and at most 1440');
  let hosts: BatchHost[] | undefined;
  try {
    if (parsed.values.hosts && parsed.values['hosts-file'])
      return usage('give --hosts or --hosts-file, not both');
    if (parsed.values.hosts) hosts = parseHostList(parsed.values.hosts);
    if (parsed.values['hosts-file'])
      hosts = parseHostsFile(await fs.readFile(path.resolve(parsed.values['hosts-file']), 'utf8'));
  } catch (err) {
    return usage(errorMessage(err));
  }
  if (hosts) io.err(`Dispatching over ssh to ${hosts.map(describeHost).join(', ')}\n`);
  const outDir = path.resolve(parsed.values.out ?? file.replace(/(\.jsonl)?$/, '.results'));
  const services = loadRuntimeServices(env);
  const started = Date.now();
  const show = (p: BatchProgress, finished?: BatchResult) => {
    if (finished && !io.tty) {
      io.err(
        `${finished.outcome === 'completed' ? '✓' : '✗'} ${finished.id}: ${finished.outcome}${finished.error ? ` — ${finished.error}` : ''}\n`,
      );
    }
    const line = progressLine(p, Date.now() - started);
    if (io.tty) io.err(`\r\x1b[2K${line}`);
    else if (!finished) io.err(`${line}\n`);
  };
  try {
    const results = await runBatch({
      tasks,
      outDir,
      baseDir: path.dirname(file),
      concurrency,
      services,
      retryFailed: !!parsed.values['retry-failed'],
      taskTimeoutMs: timeoutMin * 60_000,
      ...(hosts ? { hosts } : {}),
      onProgress: show,
      log: (line) => io.err(`${line}\n`),
    });
    if (io.tty) io.err('\n');
    const bad = results.filter((r) => r.outcome !== 'completed');
    io.out(
      `${results.length} task(s) run, ${results.length - bad.length} completed, ${bad.length} failed or refused` +
        `${tasks.length > results.length ? `, ${tasks.length - results.length} skipped (already done)` : ''}; results in ${path.join(outDir, 'results.jsonl')}\n`,
    );
    return bad.length ? 1 : 0;
  } finally {
    await services.mcp.closeAll();
    await services.history.close();
  }
}

/** `3/20 done, 1 failed, 4 running, ETA 2m 10s` (ETA from the mean time per finished task). */
export function progressLine(p: BatchProgress, elapsedMs: number): string {
  const finished = p.done + p.failed;
  const toRun = p.total - p.skipped;
  const remaining = toRun - finished;
  let eta = '';
  if (finished > 0 && remaining > 0) {
    const seconds = Math.round(((elapsedMs / finished) * remaining) / 1000);
    eta = `, ETA ${seconds >= 60 ? `${Math.floor(seconds / 60)}m ${seconds % 60}s` : `${seconds}s`}`;
  }
  return `${finished}/${toRun} done (${p.failed} failed), ${p.running} running${p.skipped ? `, ${p.skipped} skipped` : ''}${eta}`;
}

/**
 * `cairn run --task FILE --out DIR`: one batch task (a JSON object, as a line of a batch file)
 * run here, its result appended to DIR/results.jsonl and printed as one JSON line on stdout, its
 * trajectory in DIR/trajectories/. A batch is a set of these, so any job engine (ssh, a
 * container, a Kubernetes Job) can spread them. Run again, it prints the result it already has.
 */
export async function runTaskCommand(
  taskFile: string,
  outDir: string,
  io: { out: (s: string) => void; err: (s: string) => void },
  env = process.env,
): Promise<number> {
  const file = path.resolve(taskFile);
  let task;
  try {
    const text = await fs.readFile(file, 'utf8');
    [task] = parseBatchTasks(JSON.stringify(JSON.parse(text)));
    if (!task) throw new Error('no task in the file');
  } catch (err) {
    io.err(`cairn run --task: ${file}: ${errorMessage(err)}\n`);
    return 2;
  }
  const services = loadRuntimeServices(env);
  try {
    await runBatch({
      tasks: [task],
      outDir: path.resolve(outDir),
      baseDir: path.dirname(file),
      concurrency: 1,
      services,
      log: (line) => io.err(`${line}\n`),
    });
  } finally {
    await services.mcp.closeAll();
    await services.history.close();
  }
  const result = (await readResults(path.resolve(outDir))).get(task.id);
  if (!result) {
    io.err(`cairn run --task: no result for ${task.id}\n`);
    return 1;
  }
  io.out(`${JSON.stringify(result)}\n`);
  if (result.outcome === 'completed') return 0;
  if (result.outcome === 'refused') return 3;
  return result.outcome === 'cancelled' ? 130 : 1;
}
