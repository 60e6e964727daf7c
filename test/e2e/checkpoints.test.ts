import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { startScriptedModel, type ScriptStep } from '../fixtures/model-server.js';
import { AcpHarness } from '../helpers/acp-harness.js';
import { cleanEnv, tempDir, writeFiles } from '../helpers/env.js';
import { fingerprint, userGit, workspaceFiles } from '../unit/checkpoints/helpers.js';

// Checkpoints through ACP with the scripted model: turns are recorded before their first change
// (commands' changes included), /rewind lists them, /rewind N and /undo restore, a restore is
// undone by /undo, and the user's own .git is never touched.

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function setup(steps: ScriptStep[], permission: (title: string) => string = () => 'allow_once') {
  const model = await startScriptedModel(steps);
  const repo = await tempDir('cp-e2e-repo');
  const home = await tempDir('cp-e2e-home');
  await fs.writeFile(path.join(home, 'config.json'), JSON.stringify({ terminal: { backend: 'local' } }));
  const agent = await AcpHarness.start({
    env: cleanEnv({
      CAIRN_HOME: home,
      HOME: home,
      OPENAI_BASE_URL: model.url,
      CAIRN_MODEL: 'scripted',
      OPENAI_API_KEY: 'sk-test-not-real',
    }),
    permission: (req) => permission(req.toolCall.title ?? ''),
  });
  cleanups.push(async () => {
    await agent.close();
    await model.close();
    await fs.rm(repo, { recursive: true, force: true });
    await fs.rm(home, { recursive: true, force: true });
  });
  return { agent, repo };
}

/** What the agent said in answer to one prompt. */
async function say(agent: AcpHarness, sessionId: string, text: string): Promise<string> {
  const before = agent.agentText(sessionId).length;
  await agent.prompt(sessionId, text);
  return agent.agentText(sessionId).slice(before);
}

test('two turns, /rewind lists both, /rewind 2 restores, /undo undoes the restore; .git untouched', async () => {
  const { agent, repo } = await setup([
    { toolCalls: [{ name: 'write_file', arguments: { path: 'a.txt', content: 'a two\n' } }] },
    { toolCalls: [{ name: 'terminal', arguments: { command: 'echo bee > b.txt && rm c.txt' } }] },
    { text: 'First turn done.' },
    { toolCalls: [{ name: 'write_file', arguments: { path: 'a.txt', content: 'a three\n' } }] },
    { text: 'Second turn done.' },
  ]);
  await writeFiles(repo, { 'a.txt': 'a one\n', 'c.txt': 'see\n' });
  userGit(repo, 'init', '-q');
  userGit(repo, 'add', '-A');
  userGit(repo, 'commit', '-qm', 'start');
  const userGitBefore = await fingerprint(path.join(repo, '.git'));
  const objectsBefore = userGit(repo, 'count-objects', '-v');
  const { sessionId } = await agent.newSession(repo);

  await say(agent, sessionId, 'change a, make b, drop c');
  await say(agent, sessionId, 'change a again');
  const afterTurns = await workspaceFiles(repo);
  assert.deepEqual(afterTurns, { 'a.txt': 'a three\n', 'b.txt': 'bee\n' });

  const listed = await say(agent, sessionId, '/rewind');
  assert.match(listed, /^1\. .*change a again .*\(1 file \+1 −1\)/m);
  assert.match(listed, /^2\. .*change a, make b, drop c .*\(3 files \+2 −2\)/m);
  assert.doesNotMatch(listed, /^3\./m);

  const rewound = await say(agent, sessionId, '/rewind 2');
  assert.match(rewound, /Restored the files as they were before checkpoint/);
  assert.deepEqual(await workspaceFiles(repo), { 'a.txt': 'a one\n', 'c.txt': 'see\n' });
  // …and shown as an edit tool call with the diffs, so a client's review (Zed's) lists them.
  const restoreCall = agent.updates
    .map((n) => n.update)
    .find((u) => u.sessionUpdate === 'tool_call' && u.title.startsWith('Restore checkpoint'));
  assert.equal(restoreCall?.sessionUpdate === 'tool_call' && restoreCall.kind, 'edit');
  const diffs = agent.updates
    .map((n) => n.update)
    .filter((u) => u.sessionUpdate === 'tool_call_update' && u.status === 'completed')
    .flatMap((u) => (u.sessionUpdate === 'tool_call_update' ? (u.content ?? []) : []))
    .flatMap((c) => (c.type === 'diff' ? [[path.basename(c.path), c.oldText, c.newText]] : []));
  for (const expected of [
    ['a.txt', 'a three\n', 'a one\n'],
    ['b.txt', 'bee\n', ''],
    ['c.txt', null, 'see\n'],
  ])
    assert.ok(
      diffs.some((d) => JSON.stringify(d) === JSON.stringify(expected)),
      `diff ${JSON.stringify(expected)} in ${JSON.stringify(diffs)}`,
    );

  const undone = await say(agent, sessionId, '/undo');
  assert.match(undone, /Restored the files/);
  assert.deepEqual(await workspaceFiles(repo), afterTurns);

  assert.deepEqual(await fingerprint(path.join(repo, '.git')), userGitBefore);
  assert.equal(userGit(repo, 'count-objects', '-v'), objectsBefore);
});

test('a hand edit after the checkpoint is asked about, and rejecting keeps it', async () => {
  const asked: string[] = [];
  const { agent, repo } = await setup(
    [
      { toolCalls: [{ name: 'write_file', arguments: { path: 'notes.md', content: 'agent\n' } }] },
      { toolCalls: [{ name: 'write_file', arguments: { path: 'other.md', content: 'agent\n' } }] },
      { text: 'done' },
    ],
    (title) => {
      asked.push(title);
      return title.startsWith('Overwrite') ? 'reject_once' : 'allow_once';
    },
  );
  await writeFiles(repo, { 'notes.md': 'start\n', 'other.md': 'start\n' });
  const { sessionId } = await agent.newSession(repo);
  await say(agent, sessionId, 'write notes');
  await fs.writeFile(path.join(repo, 'notes.md'), 'typed by hand\n');

  const reply = await say(agent, sessionId, '/undo');
  assert.ok(
    asked.some((t) => /^Overwrite 1 file\(s\) changed by hand.*notes\.md/.test(t)),
    asked.join('\n'),
  );
  assert.match(reply, /Kept as they are \(changed by hand\): `notes\.md`/);
  assert.equal(await fs.readFile(path.join(repo, 'notes.md'), 'utf8'), 'typed by hand\n');
  assert.equal(await fs.readFile(path.join(repo, 'other.md'), 'utf8'), 'start\n');
});
