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

/** Runs `acpx exec` against the built server with a scripted model; returns the JSON messages. */
async function acpxExec(
  steps: import('../fixtures/model-server.js').ScriptStep[],
  files: Record<string, string>,
  flags: string[],
): Promise<{ messages: Message[]; repo: string }> {
  const model = await startScriptedModel(steps);
  const repo = await tempDir('acpx-repo');
  const home = await tempDir('acpx-home');
  cleanups.push(async () => {
    await model.close();
    await fs.rm(repo, { recursive: true, force: true });
    await fs.rm(home, { recursive: true, force: true });
  });
  await writeFiles(repo, files);
  await fs.writeFile(path.join(home, 'config.json'), JSON.stringify({ terminal: { backend: 'local' } }));
  const args = [
    acpx,
    '--agent',
    `${process.execPath} ${serverJs} acp`,
    ...flags,
    '--format',
    'json',
    'exec',
    'go',
  ];
  const env = cleanEnv({
    CAIRN_HOME: home,
    HOME: home,
    OPENAI_BASE_URL: model.url,
    CAIRN_MODEL: 'scripted',
    OPENAI_API_KEY: 'sk-test',
  });
  // A run that refuses something may exit non-zero; its output is what is checked.
  const stdout = await run(process.execPath, args, { cwd: repo, env, timeout: 60_000 }).then(
    (r) => r.stdout,
    (err: { stdout?: string }) => err.stdout ?? '',
  );
  const messages = stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Message);
  return { messages, repo };
}

/** The final update of each tool call, by tool call id. */
function finals(messages: Message[]): Map<string, { sessionUpdate: string; [k: string]: unknown }> {
  const out = new Map<string, { sessionUpdate: string; [k: string]: unknown }>();
  for (const m of messages) {
    const u = m.params?.update;
    if (u?.sessionUpdate === 'tool_call_update' && (u.status === 'completed' || u.status === 'failed'))
      out.set(String(u.toolCallId), u);
  }
  return out;
}

test('acpx --deny-all: the edit and the command end rejected, with no diff, nothing changed', async () => {
  const { messages, repo } = await acpxExec(
    [
      {
        toolCalls: [
          // A new file: --deny-all also refuses the client's reads, which would fail an edit
          // of an existing file before anyone was asked.
          { name: 'write_file', arguments: { path: 'new.txt', content: 'new\n' } },
          { name: 'terminal', arguments: { command: 'echo ran > ran.txt' } },
        ],
      },
      { text: 'Nothing was allowed.' },
    ],
    {},
    ['--deny-all'],
  );
  await assert.rejects(fs.access(path.join(repo, 'new.txt')));
  await assert.rejects(fs.access(path.join(repo, 'ran.txt')));
  const ended = [...finals(messages).values()];
  assert.equal(ended.length, 2);
  for (const u of ended) {
    assert.equal(u.status, 'failed');
    assert.deepEqual((u.rawOutput as { outcome?: string }).outcome, 'rejected');
    assert.match(JSON.stringify(u.content), /Rejected by the user/);
    assert.ok(!JSON.stringify(u.content).includes('"diff"'), 'no diff for an edit that did not happen');
  }
});

test('acpx: a write the client cannot make ends failed with its error, and no diff', async () => {
  const { messages, repo } = await acpxExec(
    [
      // `sub` is a file, so the client cannot create sub/new.txt (for root too).
      { toolCalls: [{ name: 'write_file', arguments: { path: 'sub/new.txt', content: 'x\n' } }] },
      { text: 'It failed.' },
    ],
    { sub: 'a file, not a folder\n' },
    ['--approve-all'],
  );
  assert.equal(await fs.readFile(path.join(repo, 'sub'), 'utf8'), 'a file, not a folder\n');
  const [u] = [...finals(messages).values()];
  assert.ok(u, JSON.stringify(messages.slice(-5)));
  assert.equal(u.status, 'failed');
  assert.equal((u.rawOutput as { outcome?: string }).outcome, 'failed');
  assert.match(JSON.stringify(u.content), /Failed: /);
  assert.ok(!JSON.stringify(u.content).includes('"diff"'));
});

test('acpx prompt while a turn runs: the follow-up waits, both are answered in order, the second sees the first; acpx cancel ends the running turn cancelled', async () => {
  // The first turn runs a command that waits for a file the test creates, so the follow-up is
  // sent while it runs. acpx keeps its own queue: it hands Cairn the follow-up when the first
  // prompt has been answered.
  const model = await startScriptedModel((body) => {
    const said = JSON.stringify(body.messages);
    const lastUser = String([...body.messages].reverse().find((m) => m.role === 'user')?.content);
    const lastIsTool = body.messages[body.messages.length - 1]?.role === 'tool';
    if (lastUser === 'one' && !lastIsTool)
      return {
        toolCalls: [
          {
            name: 'terminal',
            arguments: { command: 'while [ ! -f go ]; do sleep 0.1; done; echo released' },
          },
        ],
      };
    if (lastUser === 'one') return { text: 'First result: 42.' };
    if (lastUser === 'two')
      return { text: said.includes('First result: 42.') ? 'I saw 42.' : 'I saw nothing.' };
    if (lastUser === 'three' && !lastIsTool)
      return { toolCalls: [{ name: 'terminal', arguments: { command: 'while true; do sleep 0.1; done' } }] };
    return { text: `answer to ${lastUser}` };
  });
  const repo = await tempDir('acpx-queue-repo');
  const home = await tempDir('acpx-queue-home');
  cleanups.push(async () => {
    await model.close();
    await fs.rm(repo, { recursive: true, force: true });
    await fs.rm(home, { recursive: true, force: true });
  });
  await fs.writeFile(path.join(home, 'config.json'), JSON.stringify({ terminal: { backend: 'local' } }));
  const env = cleanEnv({
    CAIRN_HOME: home,
    HOME: home,
    OPENAI_BASE_URL: model.url,
    CAIRN_MODEL: 'scripted',
    OPENAI_API_KEY: 'sk-test',
  });
  const acpxRun = (args: string[]) =>
    run(
      process.execPath,
      [acpx, '--agent', `${process.execPath} ${serverJs} acp`, '--approve-all', '--ttl', '5', ...args],
      { cwd: repo, env, timeout: 60_000 },
    ).then(
      (r) => r.stdout,
      (err: { stdout?: string; stderr?: string }) => `${err.stdout ?? ''}\n${err.stderr ?? ''}`,
    );
  const agentText = (out: string) =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Message)
      .map((m) => m.params?.update)
      .filter((u) => u?.sessionUpdate === 'agent_message_chunk')
      .map((u) => (u!.content as { text?: string }).text ?? '')
      .join('');
  const lastUserOf = (r: { messages: Array<Record<string, unknown>> }) =>
    String([...r.messages].reverse().find((m) => m.role === 'user')?.content);
  await acpxRun(['sessions', 'new']);

  const first = acpxRun(['--format', 'json', 'prompt', 'one']);
  while (model.requests.length < 1) await new Promise((r) => setTimeout(r, 50));
  const second = acpxRun(['--format', 'json', 'prompt', 'two']);
  await fs.writeFile(path.join(repo, 'go'), '');
  const [firstOut, secondOut] = await Promise.all([first, second]);
  assert.match(agentText(firstOut), /First result: 42\./);
  assert.match(agentText(secondOut), /I saw 42\./);
  const order = model.requests.map(lastUserOf);
  assert.deepEqual(order.slice(0, 3), ['one', 'one', 'two']);

  // Cancel: the running turn's command is stopped and the turn ends cancelled, not done.
  const third = acpxRun(['--format', 'json', 'prompt', 'three']);
  while (!model.requests.some((r) => lastUserOf(r) === 'three')) await new Promise((r) => setTimeout(r, 50));
  await acpxRun(['cancel']);
  const thirdOut = await third;
  assert.match(thirdOut, /"stopReason":"cancelled"/);
  assert.doesNotMatch(thirdOut, /"stopReason":"end_turn"/);
});
