import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { startScriptedModel } from '../../fixtures/model-server.js';
import { serverJs, repoRoot } from '../../helpers/acp-harness.js';
import { cleanEnv, tempDir, writeFiles } from '../../helpers/env.js';

const run = promisify(execFile);

test('--version and --help', async () => {
  const pkg = JSON.parse(await fs.readFile(path.join(repoRoot, 'package.json'), 'utf8')) as {
    version: string;
  };
  assert.equal((await run(process.execPath, [serverJs, '--version'])).stdout.trim(), pkg.version);
  const help = (await run(process.execPath, [serverJs, '--help'])).stdout;
  for (const word of ['cairn acp', 'cairn run', 'cairn demo', 'OPENAI_API_KEY'])
    assert.ok(help.includes(word), word);
  await assert.rejects(
    run(process.execPath, [serverJs, 'frobnicate']),
    (err: { code?: number; stderr?: string }) => {
      assert.equal(err.code, 2);
      assert.match(err.stderr ?? '', /unknown command "frobnicate"/);
      return true;
    },
  );
});

test('cairn demo runs a real session offline and fixes the test', async () => {
  const home = await tempDir('demo-home');
  const { stdout } = await run(process.execPath, [serverJs, 'demo'], {
    env: cleanEnv({ HOME: home, NO_COLOR: '1' }),
    timeout: 60_000,
  });
  assert.match(stdout, /Cairn demo/);
  assert.match(stdout, /Edit src\/slug\.js/);
  assert.match(stdout, /# pass 2/, 'the re-run tests pass');
  assert.match(stdout, /Exit code: 1/, "the failing run shows its own exit code, not a pipe's");
  assert.match(stdout, /^thinking: /m, '"thinking:" starts its own line');
  assert.equal(
    stdout.match(/^Plan$/gm)?.length,
    2,
    'the plan is printed once per update, not also as a tool call',
  );
  assert.doesNotMatch(stdout, /Plan \(\d\/3 done\)/);
  assert.doesNotMatch(stdout, /Turn ended|end_turn/, 'no protocol words');
  await assert.rejects(fs.access(path.join(home, '.cairn')), 'the demo does not touch the real Cairn home');
});

test('cairn run streams an answer headless; without approval an edit is rejected and the file kept', async () => {
  const model = await startScriptedModel([
    { toolCalls: [{ name: 'write_file', arguments: { path: 'a.txt', content: 'new\n' } }] },
    { text: 'Could not write it.' },
    { toolCalls: [{ name: 'write_file', arguments: { path: 'a.txt', content: 'new\n' } }] },
    { text: 'Written.' },
  ]);
  try {
    const repo = await tempDir('run');
    const home = await tempDir('run-home');
    await writeFiles(repo, { 'a.txt': 'old\n' });
    const env = cleanEnv({
      CAIRN_HOME: home,
      OPENAI_BASE_URL: model.url,
      CAIRN_MODEL: 'm',
      OPENAI_API_KEY: 'k',
      NO_COLOR: '1',
    });
    // Without a terminal nobody can approve: the edit is refused, listed, and the exit is 3.
    const first = await run(process.execPath, [serverJs, 'run', 'rewrite a.txt'], { cwd: repo, env }).then(
      () => assert.fail('a run that refused an edit must not exit 0'),
      (err: { code?: number; stdout: string; stderr: string }) => err,
    );
    assert.equal(first.code, 3);
    assert.match(first.stdout, /Could not write it\./);
    assert.match(first.stderr, /1 action was refused because there was no terminal to ask on/);
    assert.match(first.stderr, /edits need approval: add --approve edits \(or --yes\)/);
    assert.equal(await fs.readFile(path.join(repo, 'a.txt'), 'utf8'), 'old\n');
    const second = await run(process.execPath, [serverJs, 'run', '--yes', 'rewrite a.txt'], {
      cwd: repo,
      env,
    });
    assert.match(second.stdout, /Written\./);
    assert.equal(await fs.readFile(path.join(repo, 'a.txt'), 'utf8'), 'new\n');
    const empty = run(process.execPath, [serverJs, 'run'], { cwd: repo, env });
    empty.child.stdin?.end();
    await assert.rejects(empty, /the prompt read from stdin is empty/);
  } finally {
    await model.close();
  }
});
