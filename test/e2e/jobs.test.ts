import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { JournalHistoryStore } from '../../agent-server/history/index.js';
import { startScriptedModel, type Script } from '../fixtures/model-server.js';
import { serverJs } from '../helpers/acp-harness.js';
import { cleanEnv, tempDir, writeFiles } from '../helpers/env.js';

// `cairn jobs` from the built CLI against the scripted model server: jobs added, listed, run
// as sessions in history, refused actions listed, removed.

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

interface Cli {
  home: string;
  env: NodeJS.ProcessEnv;
  repo: string;
  cairn(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
}

async function setup(steps: Script): Promise<Cli> {
  const model = await startScriptedModel(steps);
  const repo = await tempDir('jobs-repo');
  const home = await tempDir('jobs-home');
  cleanups.push(async () => {
    await model.close();
    await fs.rm(repo, { recursive: true, force: true });
    await fs.rm(home, { recursive: true, force: true });
  });
  await writeFiles(repo, { 'package.json': '{"name":"x","dependencies":{}}\n' });
  await fs.writeFile(path.join(home, 'config.json'), JSON.stringify({ terminal: { backend: 'local' } }));
  const env = cleanEnv({
    CAIRN_HOME: home,
    HOME: home,
    OPENAI_BASE_URL: model.url,
    CAIRN_MODEL: 'scripted',
    OPENAI_API_KEY: 'sk-e2e-planted-key-0123456789',
  });
  return {
    home,
    env,
    repo,
    cairn: (...args) =>
      new Promise((resolve) => {
        execFile(process.execPath, [serverJs, 'jobs', ...args], { cwd: repo, env }, (err, stdout, stderr) =>
          resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
        );
      }),
  };
}

async function historySession(home: string, id: string) {
  const store = await JournalHistoryStore.open(path.join(home, 'history'));
  try {
    return await store.getSession(id);
  } finally {
    await store.close();
  }
}

describe('cairn jobs', () => {
  it('add, list, run (a session in history titled as a job run), logs, rm', async () => {
    const cli = await setup([{ text: 'No outdated dependencies.' }]);
    const added = await cli.cairn('add', '--every', '1d', '--name', 'deps', 'check the dependencies');
    assert.equal(added.code, 0, added.stderr);
    const id = /Added job ([0-9a-f]{8})/.exec(added.stdout)?.[1];
    assert.ok(id, added.stdout);
    assert.match(added.stdout, /every 1d, mode plan/);
    assert.match(added.stdout, /next runs: \d{4}-\d\d-\d\d \d\d:\d\d, /);

    const listed = await cli.cairn('list');
    assert.match(listed.stdout, new RegExp(`^${id}  deps  every 1d  mode plan  next `, 'm'));

    const ran = await cli.cairn('run', id);
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(ran.stdout, /manual {2}COMPLETED/);
    assert.match(ran.stdout, /No outdated dependencies\./);
    const sessionId = /session ([0-9a-f-]{36})/.exec(ran.stdout)?.[1];
    assert.ok(sessionId, ran.stdout);
    const meta = await historySession(cli.home, sessionId);
    assert.match(meta?.title ?? '', /^Job deps · \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    assert.equal(meta?.cwd, cli.repo);

    const logs = await cli.cairn('logs', 'deps');
    assert.match(logs.stdout, /COMPLETED .*session /);

    assert.equal((await cli.cairn('rm', id)).code, 0);
    assert.match((await cli.cairn('list')).stdout, /No jobs/);
  });

  it('a plan-mode job whose model tries to edit is refused, changes nothing, and says so (exit 3)', async () => {
    const cli = await setup([
      { toolCalls: [{ name: 'write_file', arguments: { path: 'package.json', content: 'hacked\n' } }] },
      { text: 'I was not allowed to change package.json.' },
    ]);
    const added = await cli.cairn('add', '--cron', '0 9 * * 1-5', 'bump the dependencies');
    const id = /Added job ([0-9a-f]{8})/.exec(added.stdout)?.[1];
    assert.ok(id, added.stdout + added.stderr);
    const ran = await cli.cairn('run', id);
    assert.equal(ran.code, 3, ran.stdout + ran.stderr);
    assert.match(ran.stdout, /REFUSED/);
    assert.match(ran.stdout, /⊘ refused: .*plan mode/);
    assert.equal(
      await fs.readFile(path.join(cli.repo, 'package.json'), 'utf8'),
      '{"name":"x","dependencies":{}}\n',
    );
  });

  it('refuses bad schedules and modes a job cannot use', async () => {
    const cli = await setup([]);
    assert.equal((await cli.cairn('add', '--every', '5s', 'x')).code, 2);
    assert.equal((await cli.cairn('add', '--cron', 'nonsense', 'x')).code, 2);
    const ask = await cli.cairn('add', '--every', '1h', '--mode', 'ask', 'x');
    assert.equal(ask.code, 2);
    assert.match(ask.stderr, /a job cannot ask/);
    assert.match((await cli.cairn('list')).stdout, /No jobs/);
  });

  it('cairn batch runs a tasks file with progress lines and resumable results', async () => {
    const cli = await setup((body) => {
      const prompt = JSON.stringify(body.messages.find((m) => m.role === 'user')?.content ?? '');
      return prompt.includes('fail') ? { fault: 'http_500' } : { text: 'fine' };
    });
    await fs.writeFile(
      path.join(cli.repo, 'tasks.jsonl'),
      [
        '{"id":"one","prompt":"look"}',
        '{"id":"two","prompt":"fail now"}',
        '{"id":"three","prompt":"look again"}',
      ].join('\n'),
    );
    const run = () =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(
          process.execPath,
          [serverJs, 'batch', 'tasks.jsonl', '--concurrency', '2', '--out', 'out'],
          { cwd: cli.repo, env: cli.env },
          (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
        ),
      );
    const first = await run();
    assert.equal(first.code, 1, first.stderr);
    assert.match(first.stderr, /✗ two: failed — /);
    assert.match(first.stderr, /✓ one: completed/);
    assert.match(first.stdout, /3 task\(s\) run, 2 completed, 1 failed or refused/);
    const lines = (await fs.readFile(path.join(cli.repo, 'out', 'results.jsonl'), 'utf8')).trim().split('\n');
    assert.deepEqual(lines.map((l) => (JSON.parse(l) as { id: string }).id).sort(), ['one', 'three', 'two']);
    const again = await run();
    assert.match(again.stdout, /0 task\(s\) run, .*3 skipped/);
  });

  it('cairn run --task runs one batch task and prints its result; export --max-tokens cuts and reports tokens', async () => {
    const cli = await setup([
      { toolCalls: [{ name: 'read_file', arguments: { path: 'big.txt' } }] },
      { text: 'It is a long listing.' },
    ]);
    const listing = Array.from({ length: 1500 }, (_, i) => `line ${i} of a long listing`).join('\n');
    await fs.writeFile(path.join(cli.repo, 'big.txt'), listing);
    await fs.writeFile(
      path.join(cli.repo, 'task.json'),
      JSON.stringify({ id: 't1', prompt: 'what is big.txt?' }),
    );
    const exec = (...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(
          process.execPath,
          [serverJs, ...args],
          { cwd: cli.repo, env: cli.env },
          (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
        ),
      );
    const ran = await exec('run', '--task', 'task.json', '--out', 'out');
    assert.equal(ran.code, 0, ran.stderr);
    const result = JSON.parse(ran.stdout.trim()) as { id: string; outcome: string; answer: string };
    assert.deepEqual(
      [result.id, result.outcome, result.answer],
      ['t1', 'completed', 'It is a long listing.'],
    );
    await fs.stat(path.join(cli.repo, 'out', 'trajectories', 't1.jsonl'));
    // Run again: the result it already has, nothing asked of the model.
    const again = await exec('run', '--task', 'task.json', '--out', 'out');
    assert.equal((JSON.parse(again.stdout.trim()) as { id: string }).id, 't1');

    const file = path.join(cli.repo, 'short.jsonl');
    const exported = await exec('export', '--format', 'openai', '--max-tokens', '1000', '--out', file);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(
      exported.stderr,
      /Tokens \(estimated[^)]*\): [\d,]+ before, [\d,]+ after \(−\d+%\); 1 tool output\(s\) cut/,
    );
    const row = JSON.parse((await fs.readFile(file, 'utf8')).trim()) as {
      messages: Array<{ role: string; content: string }>;
      metadata: { compressed?: { tokensAfter: number } };
    };
    const tool = row.messages.find((m) => m.role === 'tool')!;
    assert.match(tool.content, /^1 *\t?.*line 0 of a long listing|line 0 of a long listing/);
    assert.match(
      tool.content,
      /\[… [\d,]+ characters \(~[\d,]+ tokens\) of tool output cut by cairn export --compress …\]/,
    );
    assert.ok((row.metadata.compressed?.tokensAfter ?? Infinity) <= 1000);
  });

  it('cairn export never lets the API key in the environment into a trajectory', async () => {
    const cli = await setup([{ text: 'Noted.' }]);
    const key = String(cli.env.OPENAI_API_KEY);
    const added = await cli.cairn('add', '--every', '1d', `remember that the key is ${key}`);
    const id = /Added job ([0-9a-f]{8})/.exec(added.stdout)?.[1];
    assert.ok(id, added.stdout + added.stderr);
    assert.equal((await cli.cairn('run', id)).code, 0);
    const exportWith = (...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(
          process.execPath,
          [serverJs, 'export', ...args],
          { cwd: cli.repo, env: cli.env },
          (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
        ),
      );
    const openai = await exportWith('--format', 'openai', '--project', cli.repo);
    assert.equal(openai.code, 0, openai.stderr);
    const row = JSON.parse(openai.stdout.trim()) as { messages: Array<{ role: string; content: string }> };
    assert.equal(row.messages[0]?.role, 'user');
    assert.match(row.messages[0]!.content, /the key is \[REDACTED\]/);
    assert.ok(!openai.stdout.includes(key));
    assert.match(openai.stderr, /Exported 1 conversation\(s\); 1 secret\(s\) redacted/);
    const file = path.join(cli.repo, 'out.jsonl');
    assert.equal((await exportWith('--format', 'sharegpt', '--out', file)).code, 0);
    const text = await fs.readFile(file, 'utf8');
    assert.ok(!text.includes(key));
    assert.equal((JSON.parse(text.trim()) as { conversations: unknown[] }).conversations.length, 2);
  });
});
