import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { startScriptedModel, type ScriptStep } from '../fixtures/model-server.js';
import { serverJs } from '../helpers/acp-harness.js';
import { cleanEnv, tempDir, writeFiles } from '../helpers/env.js';

// `cairn run` in a pseudo-terminal (util-linux `script`), as a user sees it: a rejected edit
// is ⊘ with the reason and no diff after the review, a failed one ✗ with the error.

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs `cairn run` on a pty; `answer` is typed whenever the approval prompt appears. */
async function runOnPty(
  steps: ScriptStep[],
  files: Record<string, string>,
  args: string[],
  answer?: string,
): Promise<{ screen: string; repo: string }> {
  const model = await startScriptedModel(steps);
  const repo = await tempDir('pty-repo');
  const home = await tempDir('pty-home');
  cleanups.push(async () => {
    await model.close();
    await fs.rm(repo, { recursive: true, force: true });
    await fs.rm(home, { recursive: true, force: true });
  });
  await writeFiles(repo, files);
  await fs.writeFile(path.join(home, 'config.json'), JSON.stringify({ terminal: { backend: 'local' } }));
  const command = [process.execPath, serverJs, 'run', ...args].map(quote).join(' ');
  const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], {
    cwd: repo,
    env: cleanEnv({
      CAIRN_HOME: home,
      HOME: home,
      OPENAI_BASE_URL: model.url,
      CAIRN_MODEL: 'scripted',
      OPENAI_API_KEY: 'sk-test',
      TERM: 'xterm',
    }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let raw = '';
  let asked = 0;
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    raw += d;
    const prompts = raw.match(/Allow\?/g)?.length ?? 0;
    while (answer !== undefined && asked < prompts) {
      asked++;
      child.stdin.write(answer + '\r');
    }
  });
  await new Promise((resolve) => child.once('exit', resolve));
  // Colours, cursor moves and spinner redraws are terminal noise here; keep the words.
  const screen = raw
    .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
    .replace(/\r/g, '')
    .replace(/[⠁-⣿]/g, '');
  return { screen, repo };
}

test('on a terminal, a rejected edit prints ⊘ with the reason, and no diff after the review', async (t) => {
  if (
    !(await fs.access('/usr/bin/script').then(
      () => true,
      () => false,
    ))
  )
    return t.skip('no script(1)');
  const { screen, repo } = await runOnPty(
    [
      { toolCalls: [{ name: 'write_file', arguments: { path: 'a.txt', content: 'new\n' } }] },
      { text: 'Left it as it was.' },
    ],
    { 'a.txt': 'old\n' },
    ['rewrite a.txt'],
    'n',
  );
  assert.equal(await fs.readFile(path.join(repo, 'a.txt'), 'utf8'), 'old\n');
  assert.match(screen, /Allow\?/, 'asked on the terminal');
  assert.match(screen, /⊘ Write a\.txt — Rejected by the user/);
  assert.doesNotMatch(screen, /✓ Write a\.txt/);
  const after = screen.slice(screen.indexOf('⊘ Write a.txt'));
  assert.doesNotMatch(after, /\+new|-old/, 'the diff was the review, not shown as done');
});

test('on a terminal, an edit that cannot be made prints ✗ Failed: with the error', async (t) => {
  if (
    !(await fs.access('/usr/bin/script').then(
      () => true,
      () => false,
    ))
  )
    return t.skip('no script(1)');
  const { screen } = await runOnPty(
    [
      // `sub` is a file: nothing can be created under it (for root too).
      { toolCalls: [{ name: 'write_file', arguments: { path: 'sub/new.txt', content: 'x\n' } }] },
      { text: 'It failed.' },
    ],
    { sub: 'a file\n' },
    ['--yes', 'write sub/new.txt'],
  );
  assert.match(screen, /✗ Write sub\/new\.txt — Failed: \S+/);
  assert.doesNotMatch(screen, /✓ Write/);
});
