import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isSecretVariable, scrubEnvironment } from '../../../agent-server/terminal/env-scrub.js';
import { BoundedOutput } from '../../../agent-server/terminal/output-buffer.js';
import { cleanOutput, explainExitCode, tailForDisplay } from '../../../agent-server/terminal/output.js';

describe('terminal output helpers', () => {
  test('cleanOutput strips colours and keeps what a progress line finally showed', () => {
    assert.equal(cleanOutput('\x1b[1;32mok\x1b[0m\r\n'), 'ok\n');
    assert.equal(cleanOutput('10%\r50%\r100%\ndone'), '100%\ndone');
  });

  test('tailForDisplay keeps the last whole lines for the client and says how many came before', () => {
    const text = Array.from({ length: 1000 }, (_, i) => `line ${i + 1}`).join('\n');
    const shown = tailForDisplay(text, 100);
    assert.ok(shown.length <= 100 + 40);
    assert.ok(shown.endsWith('line 1000'));
    const [note, first] = shown.split('\n');
    assert.match(note!, /^… [\d,]+ earlier lines not shown here$/);
    assert.match(first!, /^line \d+$/); // starts on a line boundary
    assert.equal(Number(note!.match(/[\d,]+/)![0].replace(/,/g, '')), Number(first!.slice(5)) - 1);
    assert.equal(tailForDisplay('short', 100), 'short');
    // One long line: cut inside it, never starting on half a surrogate pair.
    const emoji = '😀'.repeat(100);
    const cut = tailForDisplay(emoji, 51);
    assert.doesNotMatch(cut.split('\n')[1]!, /^[\udc00-\udfff]/);
    assert.ok(cut.endsWith('😀'));
  });

  test('explainExitCode names benign codes and leaves real errors alone', () => {
    assert.match(explainExitCode('grep -r foo src', 1) ?? '', /no lines matched/);
    assert.match(explainExitCode('cat x | grep foo', 1) ?? '', /no lines matched/);
    assert.match(explainExitCode('diff -u a b', 1) ?? '', /differ/);
    assert.match(explainExitCode('nosuchcmd', 127) ?? '', /not found/);
    assert.equal(explainExitCode('npm test', 1), undefined);
    assert.equal(explainExitCode('true', 0), undefined);
  });

  test('BoundedOutput keeps head and tail of huge output', () => {
    const out = new BoundedOutput(10, 10);
    for (let i = 0; i < 1000; i++) out.append(`line${i}\n`);
    const text = out.text();
    assert.ok(text.startsWith('line0\nline'));
    assert.ok(text.endsWith('line999\n'));
    assert.match(text, /characters dropped/);
    assert.equal(out.truncated, true);
  });

  test('scrubEnvironment drops credentials by name, honouring the allow-list', () => {
    const env = {
      PATH: '/bin',
      HOME: '/home/x',
      OPENAI_API_KEY: 'a',
      GITHUB_TOKEN: 'b',
      AWS_SECRET_ACCESS_KEY: 'c',
      AWS_ACCESS_KEY_ID: 'd',
      DB_PASSWORD: 'e',
      NPM_TOKEN: 'f',
      LANG: 'C.UTF-8',
    };
    assert.deepEqual(scrubEnvironment(env), { PATH: '/bin', HOME: '/home/x', LANG: 'C.UTF-8' });
    assert.deepEqual(scrubEnvironment(env, ['NPM_TOKEN']), {
      PATH: '/bin',
      HOME: '/home/x',
      LANG: 'C.UTF-8',
      NPM_TOKEN: 'f',
    });
    assert.equal(isSecretVariable('ANTHROPIC_API_KEY'), true);
    assert.equal(isSecretVariable('TERM'), false);
  });
});
