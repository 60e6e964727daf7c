import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parseBatchTasks } from '../../../agent-server/batch/batch-tasks.js';
import { readResults, runBatch, RESULTS_FILE } from '../../../agent-server/batch/batch-runner.js';
import type { ChatRequestBody, ScriptStep } from '../../../agent-server/demo/scripted-model-server.js';
import { ScriptedModelClient } from '../../fixtures/scripted-model-client.js';
import { runtimeFixture } from '../../helpers/runtime-session.js';
import { tempDir, writeFiles } from '../../helpers/env.js';

/** Answers by the task's prompt: `edit` writes a file then answers, `fail` is a server error. */
function byPrompt(body: ChatRequestBody): ScriptStep {
  const prompt = String(body.messages.find((m) => m.role === 'user')?.content ?? '');
  const afterTool = body.messages.some((m) => m.role === 'tool');
  if (prompt.includes('fail')) return { fault: 'http_500' };
  if (prompt.includes('edit') && !afterTool)
    return { toolCalls: [{ name: 'write_file', arguments: { path: 'out.txt', content: 'hi\n' } }] };
  return { text: `answer to ${prompt}` };
}

async function gitRepo(): Promise<string> {
  const repo = await tempDir('batch-repo');
  await writeFiles(repo, { 'README.md': 'x\n' });
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: repo, stdio: 'pipe' });
  git('init', '-q');
  git('add', '.');
  git('commit', '-q', '-m', 'init');
  return repo;
}

const worktreesOf = (repo: string) =>
  execFileSync('git', ['worktree', 'list', '--porcelain'], { cwd: repo, encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.startsWith('worktree ')).length;

describe('batch tasks file', () => {
  it('parses tasks and names the bad line', () => {
    assert.deepEqual(parseBatchTasks('{"id":"a","prompt":"p"}\n\n{"id":"b","prompt":"q","mode":"auto"}\n'), [
      { id: 'a', prompt: 'p' },
      { id: 'b', prompt: 'q', mode: 'auto' },
    ]);
    assert.throws(
      () => parseBatchTasks('{"id":"a","prompt":"p"}\n{"id":"a","prompt":"p"}'),
      /line 2: id "a" appears twice/,
    );
    assert.throws(() => parseBatchTasks('{"id":"../x","prompt":"p"}'), /line 1: "id"/);
    assert.throws(() => parseBatchTasks('{"id":"a","prompt":"p","mode":"ask"}'), /line 1: "mode"/);
    assert.deepEqual(parseBatchTasks('{"id":"r","prompt":"p","repo":"/src/x.git","ref":"v1","model":"m"}'), [
      { id: 'r', prompt: 'p', repo: '/src/x.git', ref: 'v1', model: 'm' },
    ]);
    assert.throws(() => parseBatchTasks('{"id":"a","prompt":"p","repo":"/x","cwd":"y"}'), /"cwd" or "repo"/);
    assert.throws(() => parseBatchTasks('{"id":"a","prompt":"p","ref":"main"}'), /"ref" needs "repo"/);
    assert.throws(
      () => parseBatchTasks('{"id":"a","prompt":"p","repo":"--upload-pack=x"}'),
      /cannot start with -/,
    );
  });
});

describe('runBatch', () => {
  it('runs 3 tasks (one failing) in worktrees, writes 3 results, cleans up, and resumes', async () => {
    const repo = await gitRepo();
    const out = await tempDir('batch-out');
    const fixture = await runtimeFixture({ model: new ScriptedModelClient(byPrompt) });
    // Checkpoints are another subject; their background snapshots race the fixture's cleanup.
    fixture.services.config.checkpoints.enabled = false;
    try {
      const tasks = parseBatchTasks(
        [
          JSON.stringify({ id: 'ask', prompt: 'what is here' }),
          JSON.stringify({ id: 'edit', prompt: 'edit a file', mode: 'auto' }),
          JSON.stringify({ id: 'broken', prompt: 'fail please' }),
        ].join('\n'),
      );
      const seen: string[] = [];
      const base = {
        tasks,
        outDir: out,
        baseDir: repo,
        concurrency: 2,
        services: fixture.services,
        log: () => {},
      };
      await runBatch({ ...base, onProgress: (_p, r) => r && seen.push(r.id) });
      const lines = (await fs.readFile(path.join(out, RESULTS_FILE), 'utf8')).trim().split('\n');
      assert.equal(lines.length, 3);
      const results = await readResults(out);
      assert.equal(results.get('ask')?.outcome, 'completed');
      assert.equal(results.get('ask')?.answer, 'answer to what is here');
      assert.equal(results.get('edit')?.outcome, 'completed');
      assert.deepEqual(results.get('edit')?.filesChanged, ['out.txt']);
      assert.equal(results.get('broken')?.outcome, 'failed');
      assert.match(results.get('broken')?.error ?? '', /internal error/);
      assert.ok(results.get('ask')?.sessionId);
      // Each task's session is tagged in history as part of this batch.
      assert.deepEqual((await fixture.history.getSession(results.get('ask')!.sessionId!))?.origin, {
        kind: 'batch',
        batchId: path.resolve(out),
        taskId: 'ask',
      });
      assert.equal(seen.length, 3);
      const trajectory = JSON.parse(
        await fs.readFile(path.join(out, 'trajectories', 'edit.jsonl'), 'utf8'),
      ) as {
        messages: Array<{ role: string }>;
        metadata: { outcome: string };
      };
      assert.deepEqual(
        trajectory.messages.map((m) => m.role),
        ['user', 'assistant', 'tool', 'assistant'],
      );
      assert.equal(trajectory.metadata.outcome, 'completed');
      // The edit happened in the worktree only, and every worktree is gone.
      await assert.rejects(fs.stat(path.join(repo, 'out.txt')));
      assert.equal(worktreesOf(repo), 1);
      assert.deepEqual(
        (await fs.readdir(os.tmpdir()))
          .filter((n) => n.startsWith('cairn-batch-'))
          .filter((n) => n.includes('-edit-')),
        [],
      );

      // Resume: nothing runs again; --retry-failed reruns only the failure.
      assert.deepEqual(await runBatch(base), []);
      const retried = await runBatch({ ...base, retryFailed: true });
      assert.deepEqual(
        retried.map((r) => r.id),
        ['broken'],
      );
      assert.equal((await fs.readFile(path.join(out, RESULTS_FILE), 'utf8')).trim().split('\n').length, 4);
    } finally {
      await fixture.cleanup();
      await fs.rm(repo, { recursive: true, force: true });
      await fs.rm(out, { recursive: true, force: true });
    }
  });

  it("a task naming a repo and ref works in a fresh clone at that ref, with the task's model", async () => {
    const repo = await gitRepo();
    execFileSync('git', ['tag', 'v1'], { cwd: repo });
    await writeFiles(repo, { 'later.txt': 'after v1\n' });
    execFileSync(
      'git',
      ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qam', 'later', '--allow-empty'],
      {
        cwd: repo,
      },
    );
    const out = await tempDir('batch-out');
    const model = new ScriptedModelClient(byPrompt);
    const fixture = await runtimeFixture({ model });
    // Checkpoints are another subject; their background snapshots race the fixture's cleanup.
    fixture.services.config.checkpoints.enabled = false;
    const asked: string[] = [];
    try {
      const [result] = await runBatch({
        tasks: [{ id: 'cl', prompt: 'edit it', mode: 'auto', repo, ref: 'v1', model: 'other-model' }],
        outDir: out,
        baseDir: '/nonexistent',
        concurrency: 1,
        services: {
          ...fixture.services,
          modelClient: (resolved) => {
            asked.push(resolved.model);
            return model;
          },
        },
        log: () => {},
      });
      assert.equal(result?.outcome, 'completed', result?.error);
      assert.deepEqual(result?.filesChanged, ['out.txt']);
      assert.deepEqual(asked, ['other-model']);
      await assert.rejects(fs.stat(path.join(repo, 'out.txt')), 'the source repository is untouched');
    } finally {
      await fixture.cleanup();
      await fs.rm(repo, { recursive: true, force: true });
      await fs.rm(out, { recursive: true, force: true });
    }
  });

  it('a task past its time budget is stopped and fails, never cancelled or done', async () => {
    const dir = await tempDir('batch-budget');
    const out = await tempDir('batch-out');
    const fixture = await runtimeFixture({ model: new ScriptedModelClient([{ fault: 'hang' }]) });
    // Checkpoints are another subject; their background snapshots race the fixture's cleanup.
    fixture.services.config.checkpoints.enabled = false;
    try {
      const [result] = await runBatch({
        tasks: [{ id: 'slow', prompt: 'take forever' }],
        outDir: out,
        baseDir: dir,
        concurrency: 1,
        taskTimeoutMs: 200,
        services: fixture.services,
        log: () => {},
      });
      assert.equal(result?.outcome, 'failed');
      assert.match(result?.error ?? '', /ran past its time budget \(0\.2 s\) and was stopped/);
    } finally {
      await fixture.cleanup();
      await fs.rm(dir, { recursive: true, force: true });
      await fs.rm(out, { recursive: true, force: true });
    }
  });

  it('copies a folder that is not a git repository, leaving the original untouched', async () => {
    const dir = await tempDir('batch-plain');
    const out = await tempDir('batch-out');
    const fixture = await runtimeFixture({ model: new ScriptedModelClient(byPrompt) });
    // Checkpoints are another subject; their background snapshots race the fixture's cleanup.
    fixture.services.config.checkpoints.enabled = false;
    try {
      await writeFiles(dir, { 'a.txt': 'a\n' });
      const [result] = await runBatch({
        tasks: [{ id: 'e', prompt: 'edit it', mode: 'auto' }],
        outDir: out,
        baseDir: dir,
        concurrency: 4,
        services: fixture.services,
        log: () => {},
      });
      assert.equal(result?.outcome, 'completed');
      await assert.rejects(fs.stat(path.join(dir, 'out.txt')));
    } finally {
      await fixture.cleanup();
      await fs.rm(dir, { recursive: true, force: true });
      await fs.rm(out, { recursive: true, force: true });
    }
  });
});

describe('isolated workspaces', () => {
  it('eight worktrees of one repository made at once all succeed and are all removed', async () => {
    const { isolateWorkspace } = await import('../../../agent-server/batch/isolated-workspace.js');
    const repo = await gitRepo();
    try {
      const made = await Promise.all(Array.from({ length: 8 }, (_, i) => isolateWorkspace(repo, `c${i}`)));
      assert.equal(new Set(made.map((w) => w.dir)).size, 8);
      for (const w of made) assert.equal(await fs.readFile(path.join(w.dir, 'README.md'), 'utf8'), 'x\n');
      await Promise.all(made.map((w) => w.remove()));
      assert.equal(worktreesOf(repo), 1);
    } finally {
      await fs.rm(repo, { recursive: true, force: true });
    }
  });
});
