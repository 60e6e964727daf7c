/**
 * Work that runs without anyone: a batch of 20 tasks at concurrency 4 against 20 runs of one
 * task (the ratio; target ≤ 0.35), each task in a git worktree against a scripted model that
 * takes 300 ms a reply; and `cairn export` of 10,000 sessions (time, peak memory of the export
 * process against one that only opens the same history, output size: streamed, not held).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { runBatch } from '../../agent-server/batch/batch-runner.js';
import type { BatchTask } from '../../agent-server/batch/batch-tasks.js';
import type { ModelClient, ModelEvent, ModelRequest } from '../../agent-server/core/model-client.js';
import type { ChatRequestBody, ScriptStep } from '../../agent-server/demo/scripted-model-server.js';
import { JournalHistoryStore } from '../../agent-server/history/index.js';
import { ScriptedModelClient } from '../fixtures/scripted-model-client.js';
import { serverJs } from '../helpers/acp-harness.js';
import { cleanEnv, tempDir, writeFiles } from '../helpers/env.js';
import { runtimeFixture } from '../helpers/runtime-session.js';

type Figures = Record<string, number | string>;
const REPLY_MS = 300;

/** Reads a file, then answers; every reply takes REPLY_MS, like a model on the network. */
function taskStep(body: ChatRequestBody): ScriptStep {
  const afterTool = body.messages.some((m) => m.role === 'tool');
  return afterTool
    ? { text: 'The README says hello.' }
    : { toolCalls: [{ name: 'read_file', arguments: { path: 'README.md' } }] };
}

class SlowModel implements ModelClient {
  readonly modelId = 'scripted';
  readonly contextWindow = undefined;
  private readonly inner = new ScriptedModelClient(taskStep);
  async *stream(request: ModelRequest): AsyncIterable<ModelEvent> {
    await new Promise((r) => setTimeout(r, REPLY_MS));
    yield* this.inner.stream(request);
  }
}

async function batchFigures(): Promise<Figures> {
  const repo = await tempDir('bench-batch-repo');
  await writeFiles(repo, { 'README.md': 'hello\n', 'src/a.ts': 'export const a = 1;\n' });
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=b', '-c', 'user.email=b@b', ...args], { cwd: repo, stdio: 'pipe' });
  git('init', '-q');
  git('add', '.');
  git('commit', '-q', '-m', 'init');
  const fixture = await runtimeFixture({ model: new SlowModel() });
  fixture.services.config.checkpoints.enabled = false;
  const tasks: BatchTask[] = Array.from({ length: 20 }, (_, i) => ({
    id: `t${i}`,
    prompt: `summarise ${i}`,
  }));
  const run = async (list: BatchTask[], concurrency: number) => {
    const out = await tempDir('bench-batch-out');
    const started = performance.now();
    const results = await runBatch({
      tasks: list,
      outDir: out,
      baseDir: repo,
      concurrency,
      services: fixture.services,
      log: () => {},
    });
    const ms = performance.now() - started;
    await fs.rm(out, { recursive: true, force: true });
    if (results.some((r) => r.outcome !== 'completed'))
      throw new Error(`a task did not complete: ${JSON.stringify(results)}`);
    return ms;
  };
  try {
    let one = 0;
    for (const task of tasks) one += await run([task], 1);
    const batch = await run(tasks, 4);
    return {
      'batch 20 @4 (s)': batch / 1000,
      '20 x one (s)': one / 1000,
      ratio: batch / one,
      target: '≤ 0.35',
      'per task alone (ms)': Math.round(one / 20),
    };
  } finally {
    await fixture.cleanup();
    await fs.rm(repo, { recursive: true, force: true });
  }
}

const SESSIONS = 10_000;
const DEAD_PID = 4194305;

/** 10,000 sessions of a short agentic exchange (a 6 KB tool output each), written as journal lines. */
async function writeHistory(home: string): Promise<void> {
  const journal = path.join(home, 'history', 'journal');
  await fs.mkdir(journal, { recursive: true });
  const out = createWriteStream(
    path.join(journal, `${Date.now().toString(36).padStart(10, '0')}-${DEAD_PID}-000000.jsonl`),
  );
  const write = async (entry: object) => {
    if (!out.write(JSON.stringify(entry) + '\n'))
      await new Promise<void>((r) => out.once('drain', () => r()));
  };
  const base = Date.now() - SESSIONS * 60_000;
  const output = Array.from(
    { length: 120 },
    (_, i) => `src/file-${i}.ts:${i}: export function f${i}() {}`,
  ).join('\n');
  for (let s = 0; s < SESSIONS; s++) {
    const id = `export-${s}`;
    const at = base + s * 60_000;
    await write({
      op: 'session',
      session: { id, cwd: `/work/p${s % 5}`, title: `task ${s}`, createdAt: at },
      at,
    });
    const messages = [
      { role: 'user', content: `find where f${s % 120} is defined and explain it` },
      {
        role: 'assistant',
        content: 'Searching.',
        toolCalls: [
          { id: `c${s}`, name: 'search_files', arguments: JSON.stringify({ pattern: `f${s % 120}` }) },
        ],
      },
      { role: 'tool', toolCallId: `c${s}`, name: 'search_files', content: output },
      {
        role: 'assistant',
        content: `f${s % 120} is defined in src/file-${s % 120}.ts and does nothing yet.`,
      },
    ];
    for (const [k, message] of messages.entries())
      await write({ op: 'record', sessionId: id, record: { type: 'message', message, at: at + k * 1000 } });
  }
  await new Promise<void>((r) => out.end(r));
}

/** Peak RSS (KB) and wall time of `node dist/cairn.js ARGS`, from GNU time. */
function measured(args: string[], env: NodeJS.ProcessEnv): { ms: number; rssMB: number; stderr: string } {
  const started = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', 'maxrss=%M', process.execPath, serverJs, ...args], {
    env,
    encoding: 'utf8',
  });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`cairn ${args.join(' ')} failed: ${r.stderr}`);
  const kb = Number(/maxrss=(\d+)/.exec(r.stderr)?.[1] ?? NaN);
  return { ms, rssMB: kb / 1024, stderr: r.stderr };
}

async function exportFigures(): Promise<Figures> {
  const home = await tempDir('bench-export-home');
  try {
    await writeHistory(home);
    // Build the index once, so both measured processes start from the same history.
    const store = await JournalHistoryStore.open(path.join(home, 'history'));
    await store.listSessions({ limit: 1 });
    await store.close();
    const env = cleanEnv({
      CAIRN_HOME: home,
      HOME: home,
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
      CAIRN_MODEL: 'x',
    });
    const file = path.join(home, 'out.jsonl');
    const opened = measured(['history', 'stats'], env);
    const plain = measured(['export', '--format', 'openai', '--out', file], env);
    const size = (await fs.stat(file)).size;
    const compressed = measured(
      ['export', '--format', 'sharegpt', '--out', file, '--max-tokens', '1000'],
      env,
    );
    const lines = (await fs.readFile(file, 'utf8')).trimEnd().split('\n').length;
    if (lines !== SESSIONS) throw new Error(`exported ${lines} conversations, expected ${SESSIONS}`);
    return {
      sessions: SESSIONS,
      'export (s)': plain.ms / 1000,
      'output (MB)': size / 1048576,
      'peak RSS (MB)': plain.rssMB,
      'open-only RSS (MB)': opened.rssMB,
      'compress --max-tokens 1000 (s)': compressed.ms / 1000,
      'compress peak RSS (MB)': compressed.rssMB,
    };
  } finally {
    await fs.rm(home, { recursive: true, force: true });
  }
}

export async function bench(report: (name: string, figures: Figures) => void): Promise<void> {
  report('batch: 20 tasks at concurrency 4 vs 20 x one', await batchFigures());
  report('export: 10,000 sessions, streamed', await exportFigures());
}
