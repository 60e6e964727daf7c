import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandTerminal, commandEnvironment } from '../../../extension/command-terminal.js';

test('agent commands do not inherit secret-looking variables from the editor', () => {
  const env = commandEnvironment({
    PATH: '/bin',
    OPENAI_API_KEY: 'sk',
    GITHUB_TOKEN: 't',
    AWS_SECRET_ACCESS_KEY: 's',
    DB_PASSWORD: 'p',
    TOKENIZERS_PARALLELISM: 'false',
    HOME: '/root',
  });
  assert.deepEqual(Object.keys(env).sort(), ['HOME', 'PATH', 'TOKENIZERS_PARALLELISM']);
});

test('a command gets the variables the agent asked for, runs in its cwd and reports its exit', async () => {
  const t = new CommandTerminal(
    't1',
    {
      sessionId: 's',
      command: 'printf "%s %s" "$GREETING" "$(pwd)"; exit 3',
      env: [{ name: 'GREETING', value: 'hi' }],
      cwd: '/tmp',
    },
    '/',
    { PATH: process.env.PATH, OPENAI_API_KEY: 'sk' },
  );
  const seen: string[] = [];
  t.onData((d) => seen.push(d));
  assert.deepEqual(await t.waitForExit(), { exitCode: 3, signal: null });
  assert.equal(t.buffer.output, 'hi /tmp');
  assert.equal(seen.join(''), 'hi /tmp');
});

test('kill stops the command and what it started', async () => {
  const t = new CommandTerminal(
    't2',
    { sessionId: 's', command: 'sleep 30 & sleep 30; echo never' },
    '/tmp',
    process.env,
  );
  t.kill();
  const exit = await t.waitForExit();
  assert.equal(exit.signal, 'SIGTERM');
  assert.equal(t.buffer.output, '');
});

test('a command that cannot start reports exit 127 with the reason', async () => {
  const t = new CommandTerminal(
    't3',
    { sessionId: 's', command: '/nonexistent/tool', args: ['x'] },
    '/tmp',
    process.env,
  );
  assert.equal((await t.waitForExit()).exitCode, 127);
  assert.match(t.buffer.output, /ENOENT/);
});
