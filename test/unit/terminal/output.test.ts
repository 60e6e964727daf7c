import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isSecretVariable, scrubEnvironment } from '../../../agent-server/terminal/env-scrub.js';
import { BoundedOutput } from '../../../agent-server/terminal/output-buffer.js';
import { cleanOutput, explainExitCode, truncateHeadTail } from '../../../agent-server/terminal/output.js';

describe('terminal output helpers', () => {
  test('cleanOutput strips colours and keeps what a progress line finally showed', () => {
    assert.equal(cleanOutput('\x1b[1;32mok\x1b[0m\r\n'), 'ok\n');
    assert.equal(cleanOutput('10%\r50%\r100%\ndone'), '100%\ndone');
  });

  test('truncateHeadTail keeps head and tail within the budget without splitting characters', () => {
    const text = 'é'.repeat(5000) + 'END';
    const cut = truncateHeadTail(text, 1000);
    assert.equal(cut.truncated, true);
    assert.ok(cut.text.startsWith('éé'));
    assert.ok(cut.text.endsWith('éEND'));
    assert.doesNotMatch(cut.text, /\uFFFD/);
    assert.match(cut.text, /bytes of output omitted \(10003 bytes in total\)/);
    assert.deepEqual(truncateHeadTail('short', 1000), { text: 'short', truncated: false, omittedBytes: 0 });
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
