import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { startScriptedModel } from '../fixtures/model-server.js';
import { repoRoot, serverJs } from '../helpers/acp-harness.js';
import { cleanEnv, tempDir, writeFiles } from '../helpers/env.js';

// A third-party ACP client (the acpx CLI) drives the built server through a real multi-step
// edit: plan, read, edit, run a command, answer.

const run = promisify(execFile);
const acpx = path.join(repoRoot, 'node_modules', 'acpx', 'dist', 'cli.js');
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

interface Message {
  id?: number | string | null;
  method?: string;
  params?: { update?: { sessionUpdate: string; [k: string]: unknown }; [k: string]: unknown };
  result?: { stopReason?: string };
}

test('acpx exec: plan, read, edit, command, answer — with real file changes', async () => {
  const model = await startScriptedModel([
    {
      text: 'I will plan, then edit.',
      toolCalls: [
        {
          name: 'todo',
          arguments: {
            todos: [
              { content: 'Read config', status: 'in_progress' },
              { content: 'Raise the limit', status: 'pending' },
              { content: 'Check the result', status: 'pending' },
            ],
          },
        },
      ],
    },
    { toolCalls: [{ name: 'read_file', arguments: { path: 'config.ini' } }] },
    {
      toolCalls: [
        {
          name: 'edit_file',
          arguments: { path: 'config.ini', old_string: 'limit = 10', new_string: 'limit = 50' },
        },
      ],
    },
    { toolCalls: [{ name: 'terminal', arguments: { command: 'grep -n limit config.ini' } }] },
    { text: 'The limit is now 50 (config.ini:2).' },
  ]);
  const repo = await tempDir('acpx-repo');
  const home = await tempDir('acpx-home');
  cleanups.push(async () => {
    await model.close();
    await fs.rm(repo, { recursive: true, force: true });
    await fs.rm(home, { recursive: true, force: true });
  });
  await writeFiles(repo, { 'config.ini': '[server]\nlimit = 10\n' });
  await fs.writeFile(path.join(home, 'config.json'), JSON.stringify({ terminal: { backend: 'local' } }));

  const { stdout } = await run(
    process.execPath,
    [
      acpx,
      '--agent',
      `${process.execPath} ${serverJs} acp`,
      '--approve-all',
      '--format',
      'json',
      'exec',
      'raise the limit to 50',
    ],
    {
      cwd: repo,
      env: cleanEnv({
        CAIRN_HOME: home,
        HOME: home,
        OPENAI_BASE_URL: model.url,
        CAIRN_MODEL: 'scripted',
        OPENAI_API_KEY: 'sk-test',
      }),
      timeout: 60_000,
    },
  );
  assert.equal(await fs.readFile(path.join(repo, 'config.ini'), 'utf8'), '[server]\nlimit = 50\n');

  const messages = stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Message);
  const updates = messages.filter((m) => m.method === 'session/update').map((m) => m.params!.update!);
  const kinds = updates.filter((u) => u.sessionUpdate === 'tool_call').map((u) => u.kind);
  assert.deepEqual(kinds, ['think', 'read', 'edit', 'execute']);
  assert.ok(
    updates.some((u) => u.sessionUpdate === 'plan'),
    'plan reported',
  );
  const edit = updates.find(
    (u) =>
      u.sessionUpdate === 'tool_call_update' &&
      u.status === 'completed' &&
      JSON.stringify(u.content ?? []).includes('"diff"'),
  );
  assert.ok(edit, 'the edit completed with diff content');
  const command = updates.find(
    (u) =>
      u.sessionUpdate === 'tool_call_update' &&
      u.status === 'completed' &&
      JSON.stringify(u.content ?? []).includes('2:limit = 50'),
  );
  assert.ok(command, 'the command output reached the client');
  // acpx advertises fs: the write went through the client, after an approval.
  assert.ok(messages.some((m) => m.method === 'fs/write_text_file'));
  assert.ok(messages.some((m) => m.method === 'session/request_permission'));
  const text = updates
    .filter((u) => u.sessionUpdate === 'agent_message_chunk')
    .map((u) => (u.content as { text: string }).text)
    .join('');
  assert.match(text, /limit is now 50/);
  assert.ok(messages.some((m) => m.result?.stopReason === 'end_turn'));
});
