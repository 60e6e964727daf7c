import * as os from 'node:os';
import * as path from 'node:path';
import { quote } from 'shell-quote';
import { z } from 'zod';
import { SshBackend } from '../terminal/ssh-backend.js';
import { errorMessage } from '../../shared/error-message.js';
import type { BatchResult } from './batch-runner.js';
import type { BatchTask } from './batch-tasks.js';

/** A machine a batch sends tasks to over SSH (key-based, never a password prompt). */
export interface BatchHost {
  host: string;
  port: number;
  user?: string;
  identityFile?: string;
  /** Extra `ssh -o` options. */
  options: string[];
  /** How Cairn is started there, e.g. `cairn` or `node /opt/cairn/dist/cairn.js`. */
  cairn: string;
  /** Folder on the host for task files, results and logs (relative: to the remote home). */
  workDir: string;
  /** Where a task's relative `cwd` points on this host (a checkout of the batch file's folder). */
  baseDir?: string;
  /** Environment for the remote Cairn (CAIRN_HOME, a model's base URL); never credentials. */
  env: Record<string, string>;
}

const CREDENTIAL_NAME = /KEY|TOKEN|SECRET|PASSW|CREDENTIAL/i;

const HostSchema = z
  .object({
    host: z.string().min(1),
    port: z.number().int().positive().default(22),
    user: z.string().min(1).optional(),
    identityFile: z.string().min(1).optional(),
    options: z.array(z.string()).default([]),
    cairn: z.string().min(1).default('cairn'),
    workDir: z.string().min(1).default('.cairn-batch'),
    baseDir: z.string().min(1).optional(),
    env: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string())
      .default({})
      .refine((env) => !Object.keys(env).some((k) => CREDENTIAL_NAME.test(k)), {
        message: 'credentials do not go in a hosts file: configure the model on the host itself',
      }),
  })
  .strict();

/** `--hosts user@a,b:2222`: targets with ssh's own defaults (keys and options from ~/.ssh/config). */
export function parseHostList(list: string): BatchHost[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((spec) => {
      const m = /^(?:([^@\s]+)@)?([^@:\s]+)(?::(\d+))?$/.exec(spec);
      if (!m || m[2]!.startsWith('-')) throw new Error(`--hosts: "${spec}" is not user@host or host[:port]`);
      return HostSchema.parse({
        host: m[2],
        ...(m[1] ? { user: m[1] } : {}),
        ...(m[3] ? { port: Number(m[3]) } : {}),
      });
    });
}

/** A hosts file: a JSON array of hosts with their ssh settings, Cairn command, folders and env. */
export function parseHostsFile(text: string): BatchHost[] {
  const parsed = z.array(HostSchema).min(1).safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new Error(
      parsed.error.issues.map((i) => `${i.path.join('.') || 'hosts'}: ${i.message}`).join('; '),
    );
  for (const h of parsed.data)
    if (h.host.startsWith('-')) throw new Error(`host "${h.host}" cannot start with -`);
  return parsed.data;
}

export const describeHost = (h: BatchHost) =>
  `${h.user ? `${h.user}@` : ''}${h.host}${h.port !== 22 ? `:${h.port}` : ''}`;

const TRAJECTORY_MARK = '@@cairn-trajectory';
const LOG_MARK = '@@cairn-log';

/** The task as the host runs it: its folder resolved for that host (or an error saying why not). */
export function taskForHost(task: BatchTask, host: BatchHost): BatchTask {
  if (task.repo) return task;
  const cwd = task.cwd ?? '.';
  if (path.posix.isAbsolute(cwd)) return task;
  if (!host.baseDir)
    throw new Error(
      `over ssh a task needs an absolute "cwd", a "repo", or "baseDir" for ${describeHost(host)} in the hosts file`,
    );
  return { ...task, cwd: path.posix.join(host.baseDir, cwd) };
}

/**
 * What the remote shell runs: the task file written from base64 (no quoting of task text), then
 * `cairn run --task FILE --out DIR` with its log kept on the host, then the task's trajectory and
 * the end of its log, between marker lines.
 */
export function remoteTaskCommand(task: BatchTask, host: BatchHost, batchName: string): string {
  const dir = path.posix.join(host.workDir, batchName, task.id);
  const q = (s: string) => quote([s]);
  const b64 = Buffer.from(JSON.stringify(task)).toString('base64');
  return [
    `d=${q(dir)}`,
    `mkdir -p "$d" && printf %s ${q(b64)} | base64 -d > "$d/task.json" || exit 90`,
    `${host.cairn} run --task "$d/task.json" --out "$d" 2>"$d/cairn.log"`,
    'code=$?',
    `printf '\\n%s %s\\n' ${q(TRAJECTORY_MARK)} "$code"`,
    `cat "$d/trajectories/${task.id}.jsonl" 2>/dev/null`,
    `printf '\\n%s\\n' ${q(LOG_MARK)}`,
    'tail -c 2000 "$d/cairn.log" 2>/dev/null',
    'exit 0',
  ].join('\n');
}

function failedResult(task: BatchTask, host: BatchHost, error: string, durationMs: number): BatchResult {
  return {
    id: task.id,
    outcome: 'failed',
    answer: '',
    durationMs,
    error,
    refused: [],
    host: describeHost(host),
  };
}

export interface RemoteTaskRun {
  result: BatchResult;
  /** The task's trajectory as the host exported it (already redacted there). */
  trajectory?: string;
}

/** Reads what `remoteTaskCommand` printed; a run that printed no result is a failure with the host's words. */
export function parseRemoteOutput(
  output: string,
  task: BatchTask,
  host: BatchHost,
  durationMs: number,
): RemoteTaskRun {
  const where = describeHost(host);
  const at = output.lastIndexOf(`\n${TRAJECTORY_MARK} `);
  const logAt = output.lastIndexOf(`\n${LOG_MARK}\n`);
  const failed = (error: string): RemoteTaskRun => ({ result: failedResult(task, host, error, durationMs) });
  if (at < 0) return failed(`ssh ${where}: ${output.trim().slice(-500) || 'no output'}`);
  const code = output.slice(at + TRAJECTORY_MARK.length + 2).split('\n', 1)[0];
  const log = logAt > at ? output.slice(logAt + LOG_MARK.length + 2).trim() : '';
  let result: BatchResult | undefined;
  for (const line of output.slice(0, at).split('\n').reverse()) {
    try {
      const parsed = JSON.parse(line) as BatchResult;
      if (parsed && typeof parsed === 'object' && parsed.id === task.id) {
        result = parsed;
        break;
      }
    } catch {
      // ssh banners, shell noise
    }
  }
  if (!result)
    return failed(`cairn on ${where} exited ${code}${log ? `: ${log.split('\n').slice(-5).join(' ')}` : ''}`);
  const trajectoryText = output
    .slice(output.indexOf('\n', at + 1) + 1, logAt > at ? logAt : undefined)
    .trim();
  return {
    // The id is ours: a host cannot name a result (or a file) after another task.
    result: { ...result, id: task.id, host: where },
    ...(trajectoryText ? { trajectory: `${trajectoryText}\n` } : {}),
  };
}

/**
 * Runs one task on a host with `cairn run --task` through the ssh terminal backend, and brings
 * back its result and trajectory. Never throws: a host that cannot be reached gives a failed result.
 */
export async function runTaskOverSsh(
  task: BatchTask,
  host: BatchHost,
  opts: { batchName: string; timeoutMs: number; signal?: AbortSignal },
): Promise<RemoteTaskRun> {
  const started = Date.now();
  let sent: BatchTask;
  try {
    sent = taskForHost(task, host);
  } catch (err) {
    return { result: failedResult(task, host, errorMessage(err), 0) };
  }
  const localRoot = os.tmpdir();
  const backend = new SshBackend(
    {
      host: host.host,
      port: host.port,
      ...(host.user ? { user: host.user } : {}),
      ...(host.identityFile ? { identityFile: host.identityFile } : {}),
      remoteWorkspace: '.',
      options: host.options,
    },
    localRoot,
  );
  let output = '';
  try {
    const ran = await backend.run({
      command: remoteTaskCommand(sent, host, opts.batchName),
      cwd: localRoot,
      timeoutMs: opts.timeoutMs,
      signal: opts.signal ?? new AbortController().signal,
      env: host.env,
      onOutput: (chunk) => (output += chunk),
    });
    const run = parseRemoteOutput(output, task, host, Date.now() - started);
    if (ran.timedOut)
      run.result = { ...run.result, outcome: 'failed', error: `ssh ${describeHost(host)}: timed out` };
    else if (ran.cancelled) run.result = { ...run.result, outcome: 'cancelled' };
    return run;
  } catch (err) {
    return {
      result: failedResult(
        task,
        host,
        `ssh ${describeHost(host)}: ${errorMessage(err)}`,
        Date.now() - started,
      ),
    };
  } finally {
    await backend.dispose();
  }
}
