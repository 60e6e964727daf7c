import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type * as acp from '@agentclientprotocol/sdk';
import { startScriptedModel, type ScriptStep } from '../fixtures/model-server.js';
import { AcpHarness, type PermissionAnswer } from '../helpers/acp-harness.js';
import { cleanEnv, tempDir, writeFiles } from '../helpers/env.js';

// Every tool call ends as what happened — completed, failed, rejected or cancelled — seen
// through the ACP SDK's client side like an editor: `failed` on the wire for all but
// completed, the reason in the content, the outcome in rawOutput and _meta, and no diff for a
// change that did not happen. A call is pending while the user decides, in_progress only after.

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

type Update = acp.ToolCallUpdate & { sessionUpdate: string };

async function setup(
  steps: ScriptStep[],
  opts: {
    files?: Record<string, string>;
    permission?: (
      req: acp.RequestPermissionRequest,
      agent: AcpHarness,
      repo: string,
    ) => ReturnType<PermissionAnswer>;
  } = {},
) {
  const model = await startScriptedModel(steps);
  const repo = await tempDir('outcome-repo');
  const home = await tempDir('outcome-home');
  await writeFiles(repo, opts.files ?? {});
  await fs.writeFile(path.join(home, 'config.json'), JSON.stringify({ terminal: { backend: 'local' } }));
  let agent!: AcpHarness;
  agent = await AcpHarness.start({
    env: cleanEnv({
      CAIRN_HOME: home,
      HOME: home,
      OPENAI_BASE_URL: model.url,
      CAIRN_MODEL: 'scripted',
      OPENAI_API_KEY: 'sk-test-not-real',
    }),
    permission: (req) => (opts.permission ? opts.permission(req, agent, repo) : 'allow_once'),
  });
  cleanups.push(async () => {
    await agent.close();
    await model.close();
    await fs.rm(repo, { recursive: true, force: true });
    await fs.rm(home, { recursive: true, force: true });
  });
  const { sessionId } = await agent.newSession(repo);
  return { agent, repo, sessionId };
}

/** Every update of the session's only tool call, in order. */
function callUpdates(agent: AcpHarness, sessionId: string): Update[] {
  return agent.updates
    .filter((n) => n.sessionId === sessionId)
    .map((n) => n.update)
    .filter((u) => u.sessionUpdate === 'tool_call' || u.sessionUpdate === 'tool_call_update') as Update[];
}

function texts(update: Update): string[] {
  return (update.content ?? []).flatMap((c) =>
    c.type === 'content' && c.content.type === 'text' ? [c.content.text] : [],
  );
}

function assertEnded(updates: Update[], outcome: 'failed' | 'rejected' | 'cancelled', text: RegExp): Update {
  const final = updates.at(-1)!;
  assert.equal(final.status, 'failed', 'ACP has no other status for a call that did not complete');
  assert.match(texts(final)[0] ?? '', text);
  assert.equal((final.rawOutput as { outcome?: string }).outcome, outcome);
  assert.equal((final._meta as { cairn?: { outcome?: string } }).cairn?.outcome, outcome);
  assert.ok(!updates.some((u) => u.status === 'completed'), 'never shown as done');
  const afterStart = updates.filter((u) => u.sessionUpdate === 'tool_call_update');
  assert.ok(
    !afterStart.some((u) => (u.content ?? []).some((c) => c.type === 'diff')),
    'no update presents the change as made',
  );
  return final;
}

test('a rejected edit ends rejected, with no diff; the file is unchanged', async () => {
  const { agent, repo, sessionId } = await setup(
    [
      { toolCalls: [{ name: 'write_file', arguments: { path: 'notes.md', content: 'new\n' } }] },
      { text: 'Left it.' },
    ],
    { files: { 'notes.md': 'old\n' }, permission: () => 'reject_once' },
  );
  await agent.prompt(sessionId, 'rewrite notes');
  assert.equal(await fs.readFile(path.join(repo, 'notes.md'), 'utf8'), 'old\n');
  const updates = callUpdates(agent, sessionId);
  assertEnded(updates, 'rejected', /^Rejected by the user$/);
  assert.ok(!updates.some((u) => u.status === 'in_progress'), 'it never ran');
  const review = agent.permissions[0]!.toolCall.content?.find((c) => c.type === 'diff');
  assert.ok(review, 'the diff was shown for review while the call was pending');
});

test('a rejected command ends rejected and never ran', async () => {
  const { agent, repo, sessionId } = await setup(
    [
      { toolCalls: [{ name: 'terminal', arguments: { command: 'echo ran > ran.txt' } }] },
      { text: 'Not run.' },
    ],
    { permission: () => 'reject_once' },
  );
  await agent.prompt(sessionId, 'run it');
  await assert.rejects(fs.access(path.join(repo, 'ran.txt')));
  const updates = callUpdates(agent, sessionId);
  assertEnded(updates, 'rejected', /^Rejected by the user$/);
  assert.ok(!updates.some((u) => u.status === 'in_progress'), 'never shown as running');
});

test('a write that fails (a folder where the file was) ends failed with the error, and no diff', async () => {
  const { agent, repo, sessionId } = await setup(
    [
      { toolCalls: [{ name: 'write_file', arguments: { path: 'notes.md', content: 'new\n' } }] },
      { text: 'It failed.' },
    ],
    {
      files: { 'notes.md': 'old\n' },
      // While the user looks at the review, the file becomes a folder: the write must fail
      // (root included), and the call must say so.
      permission: async (_req, _agent, root) => {
        await fs.rm(path.join(root, 'notes.md'));
        await fs.mkdir(path.join(root, 'notes.md'));
        return 'allow_once';
      },
    },
  );
  await agent.prompt(sessionId, 'rewrite notes');
  assert.ok((await fs.stat(path.join(repo, 'notes.md'))).isDirectory());
  const final = assertEnded(callUpdates(agent, sessionId), 'failed', /^Failed: .+/);
  assert.ok((final.rawOutput as { reason?: string }).reason, 'the reason is machine-readable too');
});

test('an approved command is pending until the answer, in_progress after, then completed', async () => {
  let statusesWhenAsked: (string | null | undefined)[] = [];
  const { agent, sessionId } = await setup(
    [{ toolCalls: [{ name: 'terminal', arguments: { command: 'echo hi' } }] }, { text: 'ok' }],
    {
      permission: (req, a) => {
        statusesWhenAsked = callUpdates(a, req.sessionId).map((u) => u.status);
        return 'allow_once';
      },
    },
  );
  await agent.prompt(sessionId, 'say hi');
  assert.deepEqual(statusesWhenAsked, ['pending'], 'nothing said it was running while the user decided');
  const statuses = callUpdates(agent, sessionId).flatMap((u) => (u.status ? [u.status] : []));
  assert.deepEqual(statuses, ['pending', 'in_progress', 'completed']);
  const final = callUpdates(agent, sessionId).at(-1)!;
  assert.equal((final._meta as { cairn?: { outcome?: string } }).cairn?.outcome, 'completed');
});

test('session/cancel while a command runs ends it cancelled', async () => {
  const { agent, sessionId } = await setup([
    { toolCalls: [{ name: 'terminal', arguments: { command: 'echo started; sleep 30' } }] },
    { text: 'never' },
  ]);
  const turn = agent.prompt(sessionId, 'run the long thing');
  while (!callUpdates(agent, sessionId).some((u) => u.status === 'in_progress')) {
    await new Promise((r) => setTimeout(r, 25));
  }
  await agent.notify('session/cancel', { sessionId });
  assert.equal((await turn).stopReason, 'cancelled');
  assertEnded(callUpdates(agent, sessionId), 'cancelled', /^Cancelled$/);
});
