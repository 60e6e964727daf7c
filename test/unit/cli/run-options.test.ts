import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { serverJs } from '../../helpers/acp-harness.js';
import { cleanEnv, tempDir } from '../../helpers/env.js';
import { startScriptedModel, type ScriptedModel } from '../../fixtures/model-server.js';

/** `cairn run`'s arguments and streams, through the built CLI. */

const models: ScriptedModel[] = [];
after(async () => {
  for (const m of models) await m.close();
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cairn(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; stdin?: string } = {},
): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [serverJs, ...args],
      { env: opts.env ?? cleanEnv({ NO_COLOR: '1' }), cwd: opts.cwd, timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(opts.stdin ?? '');
  });
}

async function modelEnv(script: Parameters<typeof startScriptedModel>[0]) {
  const model = await startScriptedModel(script);
  models.push(model);
  const env = cleanEnv({
    CAIRN_HOME: await tempDir('opts-home'),
    OPENAI_BASE_URL: model.url,
    CAIRN_MODEL: 'm',
    NO_COLOR: '1',
  });
  // Plain local commands: the test is about approvals, not the sandbox.
  const { writeFile } = await import('node:fs/promises');
  await writeFile(`${env.CAIRN_HOME}/config.json`, '{"terminal": {"backend": "local"}}');
  return { model, env };
}

test('every command answers --help (and help COMMAND) without starting anything', async () => {
  for (const args of [
    ['run', '--help'],
    ['run', '-h'],
    ['help', 'run'],
    ['demo', '--help'],
    ['help', 'demo'],
    ['acp', '--help'],
    ['help', 'acp'],
    ['skills', '--help'],
    ['help', 'skills'],
  ]) {
    const r = await cairn(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.match(
      r.stdout,
      new RegExp(`^Usage: cairn ${args[0] === 'help' ? args[1] : args[0]}`),
      args.join(' '),
    );
    assert.doesNotMatch(r.stdout, /Cairn demo —|jsonrpc/, 'nothing started');
  }
  const unknown = await cairn(['help', 'frobnicate']);
  assert.equal(unknown.code, 2);
});

test('bad arguments are refused with what is valid: a missing --cwd folder, an unknown mode', async () => {
  const cwd = await cairn(['run', '--cwd', '/nonexistent/cairn-folder', 'hi']);
  assert.equal(cwd.code, 2);
  assert.match(cwd.stderr, /--cwd \/nonexistent\/cairn-folder: no such folder/);
  const mode = await cairn(['run', '--mode', 'yolo', 'hi']);
  assert.equal(mode.code, 2);
  assert.match(mode.stderr, /unknown mode "yolo"; the modes are ask, accept-edits, plan, auto/);
});

test('the prompt can come from stdin, piped or as "-"', async () => {
  const { model, env } = await modelEnv([{ text: 'first' }, { text: 'second' }]);
  const repo = await tempDir('opts-repo');
  const piped = await cairn(['run'], { env, cwd: repo, stdin: 'what is in here?\n' });
  assert.equal(piped.code, 0, piped.stderr);
  assert.match(piped.stdout, /first/);
  const dash = await cairn(['run', '-'], { env, cwd: repo, stdin: 'and now?' });
  assert.equal(dash.code, 0, dash.stderr);
  assert.match(dash.stdout, /second/);
  const asked = model.requests.map((r) => JSON.stringify(r.messages.at(-1)));
  assert.match(asked[0]!, /what is in here\?/);
  assert.match(asked[1]!, /and now\?/);
});

test('cairn run … | head: a reader that leaves ends the run quietly, without a stack trace', async () => {
  const { env } = await modelEnv([{ text: 'line\n'.repeat(20_000), chunkSize: 4096 }]);
  const repo = await tempDir('opts-repo');
  const child = spawn(process.execPath, [serverJs, 'run', 'talk'], { env, cwd: repo });
  child.stdin.end();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // Read one chunk, then close the pipe like `head` does.
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.stdout.destroy();
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  assert.doesNotMatch(stderr, /EPIPE|\n\s+at /, stderr);
  assert.notEqual(code, null, 'exited by itself');
});

test('--yes does not approve dangerous commands: without a terminal they are refused; --allow-dangerous allows them', async () => {
  const script = [
    { toolCalls: [{ name: 'terminal', arguments: { command: 'git push --force origin main' } }] },
    { text: 'done' },
  ];
  const { env } = await modelEnv([...script, ...script]);
  const repo = await tempDir('opts-repo');
  const refused = await cairn(['run', '--yes', 'push it'], { env, cwd: repo });
  assert.equal(refused.code, 3, refused.stderr);
  assert.match(refused.stderr, /git push --force/);
  assert.match(
    refused.stderr,
    /a dangerous command always asks, and --yes does not cover it; add --allow-dangerous/,
  );
  const allowed = await cairn(['run', '--yes', '--allow-dangerous', 'push it'], { env, cwd: repo });
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.doesNotMatch(allowed.stderr, /refused/i);
});

test('--approve edits: a command is refused with a hint that does not repeat --approve edits', async () => {
  const { env } = await modelEnv([
    { toolCalls: [{ name: 'terminal', arguments: { command: 'echo hi' } }] },
    { text: 'ok' },
  ]);
  const repo = await tempDir('opts-repo');
  const r = await cairn(['run', '--approve', 'edits', 'say hi'], { env, cwd: repo });
  assert.equal(r.code, 3);
  assert.match(r.stderr, /1 action was refused because there was no terminal to ask on/);
  assert.match(r.stderr, /--approve edits covers edits only: add --yes to approve commands too/);
  assert.doesNotMatch(r.stderr, /add --approve edits/);
});
