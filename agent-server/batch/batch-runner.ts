import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { RuntimeServices } from '../runtime/services.js';
import { runHeadlessSession } from '../jobs/headless-session.js';
import { JobGrantsPrompter } from '../jobs/job-grants.js';
import type { JobRunOutcome } from '../jobs/job-types.js';
import { outcomeOf, refusalsOf, type Refusal } from '../jobs/run-outcome.js';
import { errorMessage } from '../../shared/error-message.js';
import type { BatchTask } from './batch-tasks.js';
import { cloneWorkspace, isolateWorkspace } from './isolated-workspace.js';
import { knownModelKeys } from '../model/known-keys.js';
import { secretValues } from '../runtime/secret-redaction.js';
import { exportTrajectories } from '../trajectories/export-trajectories.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { runTaskOverSsh, type BatchHost } from './ssh-dispatch.js';

/** One line of `results.jsonl`. The newest line for an id is its result. */
export interface BatchResult {
  id: string;
  outcome: JobRunOutcome;
  answer: string;
  /** Files the task changed in its copy (git worktrees only). */
  filesChanged?: string[];
  /** Context in use at the end (estimated when the model reported none). */
  tokens?: number;
  durationMs: number;
  sessionId?: string;
  error?: string;
  refused: Refusal[];
  /** The host that ran it, when dispatched over SSH (its session is in that host's history). */
  host?: string;
}

export interface BatchProgress {
  total: number;
  done: number;
  failed: number;
  running: number;
  skipped: number;
}

export interface BatchOptions {
  tasks: BatchTask[];
  /** Where `results.jsonl` goes; also where a re-run reads what is done. */
  outDir: string;
  /** Folder relative task folders are resolved against (the batch file's). */
  baseDir: string;
  concurrency: number;
  services: RuntimeServices;
  /** Run again the tasks whose newest result failed or was cancelled. */
  retryFailed?: boolean;
  /**
   * Send tasks to these hosts over SSH (`cairn run --task` there) instead of running them here;
   * worker N uses host N modulo their number.
   */
  hosts?: BatchHost[];
  /** A task's time budget: past it the task is stopped and fails (default 30 minutes). */
  taskTimeoutMs?: number;
  onProgress?: (progress: BatchProgress, finished?: BatchResult) => void;
  log?: (line: string) => void;
}

export const RESULTS_FILE = 'results.jsonl';
export const DEFAULT_TASK_TIMEOUT_MS = 30 * 60_000;

/** The newest result of each task in `outDir` (a torn last line is ignored). */
export async function readResults(outDir: string): Promise<Map<string, BatchResult>> {
  const byId = new Map<string, BatchResult>();
  let text = '';
  try {
    text = await fs.readFile(path.join(outDir, RESULTS_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as BatchResult;
      byId.set(r.id, r);
    } catch {
      // cut short by a crash: the task runs again
    }
  }
  return byId;
}

/**
 * Runs the tasks, `concurrency` at a time, each in its own copy of its folder (removed after),
 * as recorded headless sessions with the permissions of its mode and nothing else. Each result
 * is appended as it ends, so a re-run skips what is done.
 */
export async function runBatch(opts: BatchOptions): Promise<BatchResult[]> {
  await fs.mkdir(opts.outDir, { recursive: true });
  const previous = await readResults(opts.outDir);
  const rerun = (r: BatchResult) => opts.retryFailed && (r.outcome === 'failed' || r.outcome === 'cancelled');
  const todo = opts.tasks.filter((t) => {
    const before = previous.get(t.id);
    return !before || rerun(before);
  });
  const progress: BatchProgress = {
    total: opts.tasks.length,
    done: 0,
    failed: 0,
    running: 0,
    skipped: opts.tasks.length - todo.length,
  };
  const results: BatchResult[] = [];
  const resultsFile = path.join(opts.outDir, RESULTS_FILE);
  let next = 0;
  const batchName = path.basename(path.resolve(opts.outDir)).replace(/[^\w.-]/g, '_');
  const worker = async (index: number) => {
    const host = opts.hosts?.length ? opts.hosts[index % opts.hosts.length] : undefined;
    while (next < todo.length) {
      const task = todo[next++]!;
      progress.running++;
      opts.onProgress?.({ ...progress });
      let result: BatchResult;
      let written: Promise<void>;
      if (host) {
        const remote = await runTaskOverSsh(task, host, {
          batchName,
          // The host stops the task at its own budget; this covers the connection on top.
          timeoutMs: (opts.taskTimeoutMs ?? DEFAULT_TASK_TIMEOUT_MS) + 120_000,
        });
        result = remote.result;
        written = remote.trajectory
          ? writeFileAtomic(
              path.join(opts.outDir, 'trajectories', `${task.id}.jsonl`),
              remote.trajectory,
              0o600,
            )
          : Promise.resolve();
      } else {
        result = await runTask(task, opts);
        written = writeTrajectory(result, opts);
      }
      await written.catch((err: unknown) =>
        (opts.log ?? ((line) => process.stderr.write(`${line}\n`)))(
          `cairn batch: no trajectory for ${task.id}: ${errorMessage(err)}`,
        ),
      );
      await fs.appendFile(resultsFile, JSON.stringify(result) + '\n');
      results.push(result);
      progress.running--;
      if (result.outcome === 'completed') progress.done++;
      else progress.failed++;
      opts.onProgress?.({ ...progress }, result);
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(opts.concurrency, todo.length)) }, (_, i) => worker(i)),
  );
  return results;
}

/** `DIR/trajectories/<id>.jsonl`: the task's session in OpenAI format, secrets redacted. */
async function writeTrajectory(result: BatchResult, opts: BatchOptions): Promise<void> {
  if (!result.sessionId) return;
  const services = opts.services;
  let text = '';
  await exportTrajectories({
    history: services.history,
    select: { sessionId: result.sessionId },
    format: 'openai',
    secrets: secretValues(services.env, knownModelKeys(services.config.model, services.env)),
    extra: { outcome: result.outcome, ...(result.tokens !== undefined ? { tokens: result.tokens } : {}) },
    write: (line) => {
      text += line;
      return Promise.resolve();
    },
  });
  await writeFileAtomic(path.join(opts.outDir, 'trajectories', `${result.id}.jsonl`), text, 0o600);
}

async function runTask(task: BatchTask, opts: BatchOptions): Promise<BatchResult> {
  const started = Date.now();
  const source = task.repo ?? path.resolve(opts.baseDir, task.cwd ?? '.');
  let workspace;
  try {
    workspace = task.repo
      ? await cloneWorkspace(task.repo, task.ref, task.id)
      : await isolateWorkspace(source, task.id);
  } catch (err) {
    return {
      id: task.id,
      outcome: 'failed',
      answer: '',
      durationMs: Date.now() - started,
      error: `could not copy ${source}: ${errorMessage(err)}`,
      refused: [],
    };
  }
  try {
    const mode = task.mode ?? 'plan';
    const prompter = new JobGrantsPrompter({ mode, allowCommands: [] });
    // The time budget; the request budget is agent.maxTurnRequests, as in every session.
    const budgetMs = opts.taskTimeoutMs ?? DEFAULT_TASK_TIMEOUT_MS;
    const overBudget = new AbortController();
    const timer = setTimeout(() => overBudget.abort(), budgetMs);
    const result = await runHeadlessSession(
      opts.services,
      {
        cwd: workspace.dir,
        prompt: task.prompt,
        mode,
        prompter,
        title: `Batch ${task.id}`,
        origin: { kind: 'batch', batchId: path.resolve(opts.outDir), taskId: task.id },
        ...(task.model ? { model: task.model } : {}),
        signal: overBudget.signal,
      },
      opts.log ?? ((line) => process.stderr.write(`${line}\n`)),
    ).finally(() => clearTimeout(timer));
    // Stopped by its budget, not by anyone: a failure, never "cancelled" (or done).
    const overTime = overBudget.signal.aborted
      ? `ran past its time budget (${budgetMs >= 60_000 ? `${Math.round(budgetMs / 60_000)} min` : `${Number((budgetMs / 1000).toFixed(1))} s`}) and was stopped`
      : undefined;
    const refused = refusalsOf(result, prompter);
    const filesChanged = await workspace.changedFiles().catch(() => undefined);
    return {
      id: task.id,
      outcome: overTime ? 'failed' : outcomeOf(result, refused.length > 0),
      answer: result.answer,
      ...(filesChanged ? { filesChanged } : {}),
      ...(result.tokens !== undefined ? { tokens: result.tokens } : {}),
      durationMs: Date.now() - started,
      ...(result.sessionId ? { sessionId: result.sessionId } : {}),
      ...(overTime || result.error ? { error: overTime ?? result.error } : {}),
      refused,
    };
  } finally {
    await workspace.remove();
  }
}
