import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  startScriptedModel,
  type ChatRequestBody,
  type ScriptStep,
  type ScriptedModel,
} from '../fixtures/model-server.js';
import { AcpHarness, type HarnessOptions } from '../helpers/acp-harness.js';
import { cleanEnv, tempDir, writeFiles } from '../helpers/env.js';

// Delegation through the built `cairn acp`, driven by the ACP SDK's client side like an editor.

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function setup(
  script: (req: ChatRequestBody, i: number) => ScriptStep,
  opts: Partial<HarnessOptions> & { files?: Record<string, string> } = {},
): Promise<{ agent: AcpHarness; model: ScriptedModel; repo: string }> {
  const model = await startScriptedModel(script);
  const repo = await tempDir('repo');
  const home = await tempDir('home');
  await writeFiles(repo, opts.files ?? {});
  await fs.writeFile(path.join(home, 'config.json'), JSON.stringify({ terminal: { backend: 'local' } }));
  const env = cleanEnv({
    CAIRN_HOME: home,
    HOME: home,
    OPENAI_BASE_URL: model.url,
    CAIRN_MODEL: 'scripted',
    OPENAI_API_KEY: 'sk-test-not-real',
  });
  const agent = await AcpHarness.start({ env, ...opts });
  cleanups.push(async () => {
    await agent.close();
    await model.close();
    await fs.rm(repo, { recursive: true, force: true });
    await fs.rm(home, { recursive: true, force: true });
  });
  await agent.request('initialize', { protocolVersion: 1, clientCapabilities: {} });
  return { agent, model, repo };
}

const isChild = (r: ChatRequestBody) =>
  JSON.stringify(r.messages[0]).includes('subagent working on one delegated task');
const goalOf = (r: ChatRequestBody) => String(r.messages[1]?.content ?? '');
const lastRole = (r: ChatRequestBody) => String(r.messages.at(-1)?.role);

function delegate(tasks: { goal: string; toolset?: string }[]): ScriptStep {
  return { toolCalls: [{ name: 'delegate', arguments: { tasks } }] };
}

test('two read tasks: each child answers, a write in read toolset is refused, the parent sees both summaries on one live card', async () => {
  const { agent, model, repo } = await setup(
    (req) => {
      if (isChild(req)) {
        if (goalOf(req).startsWith('Map')) return { text: 'The auth code is in src/auth.ts.' };
        return lastRole(req) === 'tool'
          ? { text: 'Could not write; the file reads fine.' }
          : { toolCalls: [{ name: 'write_file', arguments: { path: 'a.txt', content: 'changed' } }] };
      }
      if (lastRole(req) === 'tool') return { text: 'Summary: both tasks are done.' };
      return delegate([{ goal: 'Map the auth code' }, { goal: 'Check a.txt' }]);
    },
    { files: { 'a.txt': 'original' } },
  );
  const { sessionId } = await agent.newSession(repo);
  const res = await agent.prompt(sessionId, 'explore in parallel');
  assert.equal(res.stopReason, 'end_turn');

  assert.equal(model.requests.filter(isChild).length, 3);
  assert.equal(await fs.readFile(path.join(repo, 'a.txt'), 'utf8'), 'original');
  assert.equal(agent.permissions.length, 0);

  const parentLast = model.requests.filter((r) => !isChild(r)).at(-1)!;
  const result = String(parentLast.messages.at(-1)?.content);
  assert.match(result, /The auth code is in src\/auth\.ts\./);
  assert.match(result, /Could not write; the file reads fine\./);

  // One tool call of the parent, kind think, whose content was updated with each child's progress.
  const call = agent.updatesOf(sessionId, 'tool_call').find((c) => c.title.startsWith('Delegate'));
  assert.ok(call);
  assert.equal(call.kind, 'think');
  const updates = agent
    .updatesOf(sessionId, 'tool_call_update')
    .filter((u) => u.toolCallId === call.toolCallId);
  const texts = updates.map((u) => JSON.stringify(u.content ?? []));
  assert.ok(
    texts.some(
      (t) => t.includes('Task 2 (Check a.txt): write_file') || t.includes('Task 2 (Check a.txt): Write'),
    ),
  );
  assert.equal(updates.at(-1)?.status, 'completed');
  assert.match(agent.agentText(sessionId), /both tasks are done/);
  // Children send nothing to the client as sessions of their own.
  assert.ok(agent.updates.every((n) => n.sessionId === sessionId));
});

test("a child's edit in the edit toolset asks the user on the parent session, labelled with the task", async () => {
  const { agent, repo } = await setup(
    (req) => {
      if (isChild(req))
        return lastRole(req) === 'tool'
          ? { text: 'Edited a.txt.' }
          : { toolCalls: [{ name: 'write_file', arguments: { path: 'a.txt', content: 'changed' } }] };
      if (lastRole(req) === 'tool') return { text: 'ok' };
      return delegate([{ goal: 'Change a.txt', toolset: 'edit' }]);
    },
    { files: { 'a.txt': 'original' } },
  );
  const { sessionId } = await agent.newSession(repo);
  assert.equal((await agent.prompt(sessionId, 'change it')).stopReason, 'end_turn');
  assert.equal(agent.permissions.length, 1);
  assert.equal(agent.permissions[0]!.sessionId, sessionId);
  assert.match(agent.permissions[0]!.toolCall.title ?? '', /^Task 1 \(Change a\.txt\): /);
  assert.equal(await fs.readFile(path.join(repo, 'a.txt'), 'utf8'), 'changed');
});

test('cancelling the parent cancels its children; the delegate card is not shown as done', async () => {
  const { agent, model, repo } = await setup((req) =>
    isChild(req) ? { fault: 'hang' } : delegate([{ goal: 'Search one' }, { goal: 'Search two' }]),
  );
  const { sessionId } = await agent.newSession(repo);
  const running = agent.prompt(sessionId, 'go');
  while (model.requests.filter(isChild).length < 2) await new Promise((r) => setTimeout(r, 50));
  await agent.notify('session/cancel', { sessionId });
  assert.equal((await running).stopReason, 'cancelled');
  const call = agent.updatesOf(sessionId, 'tool_call').find((c) => c.title.startsWith('Delegate'))!;
  const last = agent
    .updatesOf(sessionId, 'tool_call_update')
    .filter((u) => u.toolCallId === call.toolCallId)
    .at(-1);
  assert.equal(last?.status, 'failed');
});

test("cancel mid-delegation stops a child's running command: no process is left behind", async () => {
  const marker = `sleep ${4000 + Math.floor(Math.random() * 900)}`;
  const { agent, repo } = await setup((req) => {
    if (isChild(req))
      return lastRole(req) === 'tool'
        ? { text: 'slept' }
        : { toolCalls: [{ name: 'terminal', arguments: { command: marker } }] };
    return lastRole(req) === 'tool'
      ? { text: 'ok' }
      : delegate([{ goal: 'Run the slow command', toolset: 'edit' }]);
  });
  const { sessionId } = await agent.newSession(repo);
  const running = agent.prompt(sessionId, 'go');
  const alive = () =>
    execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
      .split('\n')
      .some((l) => l.startsWith(marker));
  while (!alive()) await new Promise((r) => setTimeout(r, 50));
  assert.equal(agent.permissions.length, 1);
  assert.match(agent.permissions[0]!.toolCall.title ?? '', /^Task 1 \(Run the slow command\): /);
  await agent.notify('session/cancel', { sessionId });
  assert.equal((await running).stopReason, 'cancelled');
  assert.equal(alive(), false);
});

test('a reviewer role runs read-only commands; its session is hidden from session/list, listed under its parent, and loads on its own', async () => {
  const { agent, model, repo } = await setup(
    (req) => {
      if (isChild(req))
        return lastRole(req) === 'tool'
          ? { text: 'Review done: one file, nothing wrong.' }
          : { toolCalls: [{ name: 'read_command', arguments: { command: 'git status --short' } }] };
      if (lastRole(req) === 'tool') return { text: 'Reviewed.' };
      return {
        toolCalls: [
          { name: 'delegate', arguments: { tasks: [{ goal: 'Review the diff', role: 'reviewer' }] } },
        ],
      };
    },
    { files: { 'a.txt': 'original' } },
  );
  execFileSync('git', ['init', '-q'], { cwd: repo });
  const { sessionId } = await agent.newSession(repo);
  assert.equal((await agent.prompt(sessionId, 'review it')).stopReason, 'end_turn');

  const child = model.requests.filter(isChild);
  assert.match(String(child[0]!.messages[0]!.content), /## Your role: reviewer/);
  // The read-only command ran (git lists the untracked file) without asking anyone.
  assert.match(String(child.at(-1)!.messages.at(-1)!.content), /\?\? a\.txt[\s\S]*Exit code: 0/);
  assert.equal(agent.permissions.length, 0);

  const listed = await agent.request('session/list', { cwd: repo });
  assert.deepEqual(
    listed.sessions.map((s) => s.sessionId),
    [sessionId],
  );
  const children = await agent.request('session/list', {
    cwd: repo,
    _meta: { cairn: { parentSessionId: sessionId } },
  });
  assert.equal(children.sessions.length, 1);
  const childId = children.sessions[0]!.sessionId;
  await agent.request('session/load', { sessionId: childId, cwd: repo, mcpServers: [] });
  assert.match(agent.agentText(childId), /Review done: one file, nothing wrong\./);
});
