import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LocalBackend } from '../../../agent-server/terminal/local-backend.js';
import { ToolError } from '../../../agent-server/tools/types.js';
import { createHarness, type Harness } from './harness.js';

describe('terminal tool on the local backend', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness(
      new LocalBackend({
        env: { ...process.env, OPENAI_API_KEY: 'sk-test-secret', CAIRN_KEEP_TOKEN: 'kept' },
        envAllowlist: ['CAIRN_KEEP_TOKEN'],
      }),
      {},
    );
  });
  after(() => h.close());

  test('runs in the workspace and reports output and exit code', async () => {
    const result = await h.run(h.terminal, { command: 'pwd; echo hello; exit 3' });
    assert.match(result.forModel, new RegExp(h.workspace.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.match(result.forModel, /hello/);
    assert.match(result.forModel, /Exit code: 3/);
    assert.equal((result.rawOutput as { exitCode: number }).exitCode, 3);
  });

  test('workdir resolves inside the workspace and refuses to leave it', async () => {
    await mkdir(path.join(h.workspace, 'sub'));
    const inside = await h.run(h.terminal, { command: 'pwd', workdir: 'sub' });
    assert.match(inside.forModel, /\/sub\n/);
    await assert.rejects(h.run(h.terminal, { command: 'pwd', workdir: '../..' }), ToolError);
  });

  test('explains benign non-zero exit codes', async () => {
    await writeFile(path.join(h.workspace, 'a.txt'), 'apple\n');
    const grep = await h.run(h.terminal, { command: 'grep banana a.txt' });
    assert.match(grep.forModel, /Exit code: 1\. .*no lines matched/);
    await writeFile(path.join(h.workspace, 'b.txt'), 'pear\n');
    const diff = await h.run(h.terminal, { command: 'diff a.txt b.txt' });
    assert.match(diff.forModel, /files differ/);
  });

  test('strips ANSI colour codes', async () => {
    const result = await h.run(h.terminal, { command: "printf '\\033[31mred\\033[0m plain\\n'" });
    assert.match(result.forModel, /^red plain/);
    assert.doesNotMatch(result.forModel, /\x1b/);
  });

  test('long output goes to the runner whole (cut there for the model); the client sees its end', async () => {
    const result = await h.run(h.terminal, {
      command: 'echo FIRST-LINE; seq 1 50000; echo LAST-LINE',
    });
    assert.match(result.forModel, /^FIRST-LINE\n1\n2\n/);
    assert.match(result.forModel, /\n25000\n/);
    assert.match(result.forModel, /LAST-LINE\n\nExit code: 0$/);
    assert.equal((result.rawOutput as { truncated: boolean }).truncated, false);
    const shown = result.content?.[0];
    assert.ok(shown?.type === 'text' && shown.text.length < 70_000);
    assert.match(shown.text, /earlier lines not shown here/);
    assert.match(shown.text, /LAST-LINE\n```\nExit code: 0$/);
  });

  test('a command past its timeout is stopped and reported', async () => {
    const result = await h.run(h.terminal, { command: 'echo started; sleep 30; echo never', timeout: 0.5 });
    assert.match(result.forModel, /started/);
    assert.doesNotMatch(result.forModel, /never/);
    assert.match(result.forModel, /timed out after 0\.5 s/);
    assert.equal((result.rawOutput as { timedOut: boolean }).timedOut, true);
  });

  test('cancellation stops the command', async () => {
    const controller = new AbortController();
    const running = h.run(h.terminal, { command: 'sleep 30' }, controller.signal);
    setTimeout(() => controller.abort(), 200);
    const result = await running;
    assert.match(result.forModel, /cancelled/);
  });

  test('secret variables are scrubbed unless allow-listed', async () => {
    const result = await h.run(h.terminal, {
      command: 'echo "key=[$OPENAI_API_KEY] kept=[$CAIRN_KEEP_TOKEN] path=[${PATH:+set}]"',
    });
    assert.match(result.forModel, /key=\[\] kept=\[kept\] path=\[set\]/);
  });

  test('live output reaches the client as progress', async () => {
    h.progress.length = 0;
    await h.run(h.terminal, { command: 'echo live-one; sleep 0.4; echo live-two' });
    const texts = h.progress.flat().map((c) => (c.type === 'text' ? c.text : ''));
    assert.ok(texts.some((t) => t.startsWith('```\n') && t.includes('live-one')));
  });

  test('hard-blocked commands throw without asking', async () => {
    h.asked.length = 0;
    await assert.rejects(h.run(h.terminal, { command: 'rm -rf ~' }), (err: Error) => {
      assert.ok(err instanceof ToolError);
      assert.match(err.message, /Blocked/);
      return true;
    });
    assert.equal(h.asked.length, 0);
  });

  test('dangerous commands ask even in auto mode, and a rejection means nothing ran', async () => {
    await mkdir(path.join(h.workspace, 'src'), { recursive: true });
    h.asked.length = 0;
    h.mode = 'auto';
    h.answer = 'reject_once';
    const result = await h.run(h.terminal, { command: 'rm -rf src' });
    assert.equal(h.asked.length, 1);
    assert.equal(h.asked[0]!.dangerous, true);
    assert.equal(h.asked[0]!.ruleKey, 'execute:rm -rf src');
    assert.match(result.forModel, /not run/);
    assert.ok(existsSync(path.join(h.workspace, 'src')));
    h.answer = 'allow_once';
  });

  test('ordinary commands follow the mode: auto runs, ask asks, plan refuses', async () => {
    h.asked.length = 0;
    h.mode = 'auto';
    await h.run(h.terminal, { command: 'true' });
    assert.equal(h.asked.length, 0);
    h.mode = 'ask';
    await h.run(h.terminal, { command: 'true' });
    assert.equal(h.asked.length, 1);
    h.mode = 'plan';
    const refused = await h.run(h.terminal, { command: 'touch planned' });
    assert.match(refused.forModel, /not run/);
    assert.ok(!existsSync(path.join(h.workspace, 'planned')));
    h.mode = 'auto';
  });

  test('describe gives the shortened command as title', () => {
    const long = 'echo ' + 'x'.repeat(200);
    const title = h.terminal.describe({ command: long }, undefined as never).title;
    assert.ok(title.length <= 80 && title.startsWith('echo xxx'));
  });
});
