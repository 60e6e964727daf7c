import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { cairnHome } from '../config/home.js';
import { runJob } from '../jobs/job-runner.js';
import { JobScheduler } from '../jobs/job-scheduler.js';
import { describeSchedule, nextRuns, parseCron, parseEvery } from '../jobs/job-schedule.js';
import { JobStore } from '../jobs/job-store.js';
import { isJobMode, JOB_MODES, type Job, type JobRun, type JobSchedule } from '../jobs/job-types.js';
import { launchdAgent, systemdUserUnit, type ServiceFile } from '../jobs/service-unit.js';
import { loadRuntimeServices } from '../runtime/services.js';
import { errorMessage } from '../../shared/error-message.js';

export const JOBS_HELP = `Usage: cairn jobs add (--cron "EXPR" | --every 30m) [options] "PROMPT"
       cairn jobs list | show ID | rm ID | pause ID | resume ID | run ID | logs ID
       cairn jobs serve | install | uninstall

Scheduled jobs run a prompt headless, as a session recorded in history (titled "Job NAME · time").
Nobody is there to answer, so what a job may do is fixed when it is added: anything else it
tries is refused and listed in its result, never approved.

add options:
  --cron "EXPR"           Cron schedule, local time (e.g. "0 9 * * 1-5": weekdays at 9:00)
  --every INTERVAL        Fixed interval from now: 30m, 2h, 1d, 1h30m (at least 1m)
  --name NAME             A name (default: the prompt's first words)
  --cwd DIR               Folder the job works in (default: the current one)
  --mode MODE             ${JOB_MODES.join(' | ')} (default: plan, read-only)
  --allow-command PAT     A command the job may run; * matches anything ("npm outdated*").
                          Repeat for more. Dangerous commands are always refused.
  --catch-up once|skip    A run missed while the machine slept: made up once (default) or skipped

  run ID                  Run the job now, in the foreground (exit 0 done, 1 failed, 3 refused)
  serve                   Run the scheduler in the foreground (one per Cairn home)
  install | uninstall     Install the scheduler as a per-user service (systemd or launchd)`;

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const EXIT_REFUSED = 3;
const TICK_MS = 30_000;

/** `cairn jobs …`: argument parsing and printing; the work is in agent-server/jobs/. */
export async function runJobsCommand(args: string[], io: Io, env = process.env): Promise<number> {
  const [sub, ...rest] = args;
  const store = new JobStore(cairnHome(env));
  const usage = (message: string) => {
    io.err(`cairn jobs: ${message}\n\n${JOBS_HELP}\n`);
    return 2;
  };
  try {
    switch (sub) {
      case 'add':
        return await addJob(store, rest, io, usage);
      case 'list':
        return await listJobs(store, io);
      case 'serve':
        return await serve(store, io, env);
      case 'install':
      case 'uninstall':
        return await installService(sub, io, env);
      case 'show':
      case 'rm':
      case 'pause':
      case 'resume':
      case 'run':
      case 'logs': {
        if (rest.length !== 1) return usage(`${sub} takes one job id`);
        const job = await store.find(rest[0]!);
        if (!job) {
          io.err(`cairn jobs: no job "${rest[0]}" (see cairn jobs list)\n`);
          return 1;
        }
        return await onJob(sub, job, store, io, env);
      }
      default:
        return usage(sub ? `unknown subcommand "${sub}"` : 'give a subcommand');
    }
  } catch (err) {
    io.err(`cairn jobs: ${errorMessage(err)}\n`);
    return 1;
  }
}

async function addJob(
  store: JobStore,
  argv: string[],
  io: Io,
  usage: (m: string) => number,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        cron: { type: 'string' },
        every: { type: 'string' },
        name: { type: 'string' },
        cwd: { type: 'string' },
        mode: { type: 'string' },
        'allow-command': { type: 'string', multiple: true },
        'catch-up': { type: 'string' },
      },
    });
  } catch (err) {
    return usage(errorMessage(err));
  }
  const v = parsed.values;
  const prompt = parsed.positionals.join(' ').trim();
  if (!prompt) return usage('give the prompt the job runs');
  if (!v.cron === !v.every) return usage('give exactly one of --cron or --every');
  const mode = v.mode ?? 'plan';
  if (!isJobMode(mode)) return usage(`--mode takes ${JOB_MODES.join(', ')} (a job cannot ask)`);
  const catchUp = v['catch-up'] ?? 'once';
  if (catchUp !== 'once' && catchUp !== 'skip') return usage('--catch-up takes once or skip');
  const cwd = path.resolve(v.cwd ?? process.cwd());
  if (!isDirectory(cwd)) return usage(`--cwd ${v.cwd}: no such folder`);
  let schedule: JobSchedule;
  try {
    schedule = v.cron ? parseCron(v.cron) : parseEvery(v.every!);
  } catch (err) {
    return usage(errorMessage(err));
  }
  const now = Date.now();
  const job = await store.add({
    name: v.name ?? defaultName(prompt),
    prompt,
    cwd,
    schedule,
    grants: { mode, allowCommands: v['allow-command'] ?? [] },
    paused: false,
    catchUp,
    createdAt: now,
    checkedAt: now,
  });
  io.out(`Added job ${job.id} (${job.name}): ${describeSchedule(job.schedule)}, mode ${mode}, in ${cwd}\n`);
  if (job.grants.allowCommands.length) io.out(`  may run: ${job.grants.allowCommands.join(', ')}\n`);
  io.out(`  next runs: ${upcoming(job, now, 3)}\n`);
  io.out('  jobs run while the scheduler does: cairn jobs serve, or cairn jobs install\n');
  return 0;
}

async function listJobs(store: JobStore, io: Io): Promise<number> {
  const jobs = await store.list();
  if (!jobs.length) {
    io.out('No jobs. Add one with cairn jobs add --every 1d "…"\n');
    return 0;
  }
  const now = Date.now();
  for (const job of jobs) {
    const last = (await store.runs(job.id)).at(-1);
    io.out(
      `${job.id}  ${job.name}  ${describeSchedule(job.schedule)}  mode ${job.grants.mode}` +
        `${job.paused ? '  PAUSED' : `  next ${upcoming(job, now, 2)}`}` +
        `${last ? `  last: ${last.outcome} ${when(last.startedAt)}` : ''}\n`,
    );
  }
  return 0;
}

async function onJob(
  sub: 'show' | 'rm' | 'pause' | 'resume' | 'run' | 'logs',
  job: Job,
  store: JobStore,
  io: Io,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  switch (sub) {
    case 'show': {
      io.out(
        [
          `Job ${job.id}: ${job.name}${job.paused ? ' (paused)' : ''}`,
          `  schedule: ${describeSchedule(job.schedule)}, missed runs: ${job.catchUp === 'skip' ? 'skipped' : 'made up once'}`,
          `  folder:   ${job.cwd}`,
          `  mode:     ${job.grants.mode}`,
          `  commands: ${job.grants.allowCommands.join(', ') || '(none)'}`,
          `  prompt:   ${job.prompt}`,
          `  next:     ${job.paused ? '(paused)' : upcoming(job, Date.now(), 5)}`,
          '',
        ].join('\n'),
      );
      const last = (await store.runs(job.id)).at(-1);
      if (last) io.out(formatRun(last, true));
      return 0;
    }
    case 'rm':
      await store.remove(job.id);
      io.out(`Removed job ${job.id} (${job.name}); its sessions stay in history.\n`);
      return 0;
    case 'pause':
    case 'resume':
      // Resuming does not make up the runs missed while paused.
      await store.update(job.id, (j) => ({ ...j, paused: sub === 'pause', checkedAt: Date.now() }));
      io.out(`${sub === 'pause' ? 'Paused' : 'Resumed'} job ${job.id} (${job.name}).\n`);
      return 0;
    case 'logs': {
      const runs = await store.runs(job.id);
      if (!runs.length) io.out(`Job ${job.id} has not run yet.\n`);
      for (const run of runs) io.out(formatRun(run, false));
      return 0;
    }
    case 'run':
      return runNow(job, store, io, env);
  }
}

async function runNow(job: Job, store: JobStore, io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const services = loadRuntimeServices(env);
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    io.err(`Running job ${job.id} (${job.name}) in ${job.cwd}, mode ${job.grants.mode}…\n`);
    const run = await runJob(job, {
      store,
      services,
      trigger: 'manual',
      signal: controller.signal,
      log: (line) => io.err(`${line}\n`),
    });
    io.out(formatRun(run, true));
    if (run.outcome === 'completed') return 0;
    if (run.outcome === 'refused') return EXIT_REFUSED;
    return run.outcome === 'cancelled' ? 130 : 1;
  } finally {
    process.off('SIGINT', onSigint);
    await services.mcp.closeAll();
    await services.history.close();
  }
}

async function serve(store: JobStore, io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const services = loadRuntimeServices(env);
  const log = (line: string) => io.err(`${new Date().toISOString()} ${line}\n`);
  const scheduler = new JobScheduler({
    store,
    run: (job) => runJob(job, { store, services, trigger: 'schedule', log }),
    log,
  });
  await scheduler.start();
  log(`cairn jobs: scheduler running (pid ${process.pid}); Ctrl-C stops it after the runs under way`);
  const tick = () =>
    scheduler
      .tick()
      .catch((err: unknown) => log(`cairn jobs: could not read the jobs: ${errorMessage(err)}`));
  await tick();
  const timer = setInterval(() => void tick(), TICK_MS);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  clearInterval(timer);
  log('cairn jobs: stopping…');
  await scheduler.stop();
  await services.mcp.closeAll();
  await services.history.close();
  return 0;
}

async function installService(sub: 'install' | 'uninstall', io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const script = process.argv[1] ? path.resolve(process.argv[1]) : '';
  const cmd = { node: process.execPath, script, home: cairnHome(env) };
  let file: ServiceFile;
  if (process.platform === 'linux') file = systemdUserUnit(cmd, os.homedir());
  else if (process.platform === 'darwin') file = launchdAgent(cmd, os.homedir());
  else {
    io.err(`cairn jobs ${sub}: no per-user service on ${process.platform}; run cairn jobs serve instead\n`);
    return 1;
  }
  const run = promisify(execFile);
  if (sub === 'uninstall') {
    for (const [bin, ...a] of file.disable) await run(bin!, a).catch(() => undefined);
    await fs.rm(file.path, { force: true });
    io.out(`Removed ${file.path}\n`);
    return 0;
  }
  await fs.mkdir(path.dirname(file.path), { recursive: true });
  await fs.writeFile(file.path, file.content);
  io.out(`Wrote ${file.path}:\n\n${file.content}\n`);
  for (const [bin, ...a] of file.enable) {
    io.out(`$ ${[bin, ...a].join(' ')}\n`);
    try {
      await run(bin!, a);
    } catch (err) {
      io.err(
        `cairn jobs install: ${bin} failed: ${errorMessage(err)}\nThe file is written; load it by hand.\n`,
      );
      return 1;
    }
  }
  return 0;
}

function formatRun(run: JobRun, full: boolean): string {
  const took = Math.round((run.endedAt - run.startedAt) / 1000);
  const lines = [
    `${when(run.startedAt)}  ${run.trigger}  ${run.outcome.toUpperCase()}  ${took}s` +
      `${run.sessionId ? `  session ${run.sessionId}` : ''}`,
  ];
  if (run.error) lines.push(`  error: ${run.error}`);
  for (const r of run.refused) lines.push(`  ⊘ refused: ${r.title} — ${r.reason}`);
  if (full && run.answer) lines.push('', run.answer.trim());
  return lines.join('\n') + '\n';
}

function upcoming(job: Job, now: number, count: number): string {
  const runs = nextRuns(job.schedule, job.createdAt, Math.max(now, job.checkedAt), count);
  return runs.length ? runs.map(when).join(', ') : '(never again)';
}

const when = (t: number) => new Date(t).toLocaleString('sv-SE').slice(0, 16);

function defaultName(prompt: string): string {
  const words = prompt.split(/\s+/).slice(0, 5).join(' ');
  return words.length > 40 ? `${words.slice(0, 39)}…` : words;
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
