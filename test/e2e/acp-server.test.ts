import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { startScriptedModel, type ScriptStep, type ScriptedModel } from '../fixtures/model-server.js';
import { AcpHarness, type HarnessOptions } from '../helpers/acp-harness.js';
import { cleanEnv, tempDir, writeFiles } from '../helpers/env.js';

// The built `cairn acp` driven over stdio by the ACP SDK's client side, like an editor.

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function setup(
  steps:
    ScriptStep[] | ((req: import('../fixtures/model-server.js').ChatRequestBody, i: number) => ScriptStep),
  opts: Partial<HarnessOptions> & {
    files?: Record<string, string>;
    config?: unknown;
    noModel?: boolean;
  } = {},
): Promise<{ agent: AcpHarness; model: ScriptedModel; repo: string; home: string }> {
  const model = await startScriptedModel(steps);
  const repo = await tempDir('repo');
  const home = await tempDir('home');
  await writeFiles(repo, opts.files ?? {});
  await fs.writeFile(
    path.join(home, 'config.json'),
    JSON.stringify(opts.config ?? { terminal: { backend: 'local' } }),
  );
  const env = cleanEnv(
    opts.noModel
      ? { CAIRN_HOME: home, HOME: home }
      : {
          CAIRN_HOME: home,
          HOME: home,
          OPENAI_BASE_URL: model.url,
          CAIRN_MODEL: 'scripted',
          OPENAI_API_KEY: 'sk-test-not-real',
        },
  );
  const agent = await AcpHarness.start({ env, ...opts });
  cleanups.push(async () => {
    await agent.close();
    await model.close();
    await fs.rm(repo, { recursive: true, force: true });
    await fs.rm(home, { recursive: true, force: true });
  });
  return { agent, model, repo, home };
}

test('initialize advertises what works and nothing else', async () => {
  const { agent } = await setup([]);
  const init = await agent.request('initialize', { protocolVersion: 1, clientCapabilities: {} });
  assert.equal(init.protocolVersion, 1);
  assert.equal(init.agentInfo?.name, 'cairn');
  assert.deepEqual(init.agentCapabilities?.promptCapabilities, {
    image: true,
    audio: false,
    embeddedContext: true,
  });
  assert.ok(init.authMethods?.length, 'auth methods describe what to set');
});

test('a multi-step turn streams text, tool calls with kind/title/locations, a diff and a plan', async () => {
  const { agent, repo, model } = await setup(
    [
      {
        reasoning: 'Look at the file first.',
        text: 'Reading the greeting.',
        toolCalls: [
          { name: 'todo', arguments: { todos: [{ content: 'Fix greeting', status: 'in_progress' }] } },
          { name: 'read_file', arguments: { path: 'greet.txt' } },
        ],
      },
      {
        toolCalls: [
          { name: 'edit_file', arguments: { path: 'greet.txt', old_string: 'helo', new_string: 'hello' } },
        ],
      },
      { text: 'Fixed the typo.' },
    ],
    {
      files: { 'greet.txt': 'helo world\n' },
      config: { agent: { defaultMode: 'accept-edits' }, terminal: { backend: 'local' } },
    },
  );
  const { sessionId } = await agent.newSession(repo);
  const res = await agent.prompt(sessionId, 'fix the typo in greet.txt');
  assert.equal(res.stopReason, 'end_turn');
  assert.equal(await fs.readFile(path.join(repo, 'greet.txt'), 'utf8'), 'hello world\n');

  assert.match(agent.agentText(sessionId), /Reading the greeting\.Fixed the typo\./);
  const thoughts = agent
    .updatesOf(sessionId, 'agent_thought_chunk')
    .map((u) => (u.content.type === 'text' ? u.content.text : ''));
  assert.equal(thoughts.join(''), 'Look at the file first.');

  const calls = agent.updatesOf(sessionId, 'tool_call');
  assert.deepEqual(
    calls.map((c) => c.kind),
    ['think', 'read', 'edit'],
  );
  const read = calls[1]!;
  assert.equal(read.title, 'Read greet.txt');
  assert.deepEqual(read.locations, [{ path: path.join(repo, 'greet.txt'), line: 1 }]);

  const finals = agent.updatesOf(sessionId, 'tool_call_update').filter((u) => u.status === 'completed');
  assert.equal(finals.length, 3);
  const diff = finals[2]!.content?.find((c) => c.type === 'diff');
  assert.ok(diff && diff.type === 'diff');
  assert.equal(diff.oldText, 'helo world\n');
  assert.equal(diff.newText, 'hello world\n');

  const plans = agent.updatesOf(sessionId, 'plan');
  assert.deepEqual(plans[0]!.entries, [
    { content: 'Fix greeting', status: 'in_progress', priority: 'medium' },
  ]);
  assert.ok(agent.updatesOf(sessionId, 'usage_update').length >= 1);

  // The model saw the file (with line numbers) as the read_file result.
  const toolResult = model.requests[1]!.messages.find(
    (m) => m.role === 'tool' && String(m.content).includes('helo world'),
  );
  assert.ok(toolResult, 'read_file result was fed back to the model');
  assert.match(String(toolResult.content), /^1\thelo world/);
});

test('edits ask in ask mode; a rejected edit leaves the file untouched and the model is told', async () => {
  const { agent, repo, model } = await setup(
    [
      { toolCalls: [{ name: 'write_file', arguments: { path: 'notes.md', content: 'new text\n' } }] },
      { text: 'Understood, I left it.' },
    ],
    { files: { 'notes.md': 'old text\n' }, permission: () => 'reject_once' },
  );
  const { sessionId } = await agent.newSession(repo);
  await agent.prompt(sessionId, 'rewrite notes');
  assert.equal(await fs.readFile(path.join(repo, 'notes.md'), 'utf8'), 'old text\n');
  assert.equal(agent.permissions.length, 1);
  const asked = agent.permissions[0]!;
  assert.deepEqual(
    asked.options.map((o) => o.kind),
    ['allow_once', 'allow_always', 'reject_once', 'reject_always'],
  );
  const diff = asked.toolCall.content?.find((c) => c.type === 'diff');
  assert.ok(
    diff && diff.type === 'diff' && diff.newText === 'new text\n',
    'the permission request carries the diff',
  );
  const told = model.requests[1]!.messages.find((m) => m.role === 'tool');
  assert.match(String(told?.content), /NOT changed/);
});

test('"always allow" is remembered per project in Cairn\'s home, never in the repo', async () => {
  const steps: ScriptStep[] = [
    { toolCalls: [{ name: 'write_file', arguments: { path: 'a.txt', content: 'a\n' } }] },
    { text: 'ok' },
    { toolCalls: [{ name: 'write_file', arguments: { path: 'b.txt', content: 'b\n' } }] },
    { text: 'ok' },
  ];
  const { agent, repo, home } = await setup(steps, { permission: () => 'allow_always' });
  const { sessionId } = await agent.newSession(repo);
  await agent.prompt(sessionId, 'write a');
  await agent.prompt(sessionId, 'write b');
  assert.equal(agent.permissions.length, 1, 'the second edit did not ask');
  assert.equal(await fs.readFile(path.join(repo, 'b.txt'), 'utf8'), 'b\n');
  const repoFiles = await fs.readdir(repo);
  assert.deepEqual(repoFiles.sort(), ['a.txt', 'b.txt']);
  const projects = await fs.readdir(path.join(home, 'projects'));
  const rules = JSON.parse(
    await fs.readFile(path.join(home, 'projects', projects[0]!, 'permissions.json'), 'utf8'),
  );
  assert.deepEqual(rules.allow, ['edit']);
});

test('reads and writes go through the client when it offers fs, so unsaved buffers are seen', async () => {
  const { agent, repo } = await setup(
    [
      {
        toolCalls: [
          { name: 'edit_file', arguments: { path: 'app.js', old_string: 'UNSAVED', new_string: 'SAVED' } },
        ],
      },
      { text: 'done' },
    ],
    {
      files: { 'app.js': 'on disk\n' },
      clientCapabilities: { fs: { readTextFile: true, writeTextFile: true } },
      readTextFile: async () => 'buffer with UNSAVED change\n',
      writeTextFile: async () => {},
      config: { agent: { defaultMode: 'accept-edits' }, terminal: { backend: 'local' } },
    },
  );
  const { sessionId } = await agent.newSession(repo);
  await agent.prompt(sessionId, 'edit');
  assert.equal(agent.reads.length, 1);
  assert.deepEqual(
    agent.writes.map((w) => w.content),
    ['buffer with SAVED change\n'],
  );
  assert.equal(
    await fs.readFile(path.join(repo, 'app.js'), 'utf8'),
    'on disk\n',
    'the client decides what reaches disk',
  );
});

test('paths outside the workspace are refused, unless the client added the folder', async () => {
  const outside = await tempDir('outside');
  await fs.writeFile(path.join(outside, 'secret.txt'), 'top secret\n');
  cleanups.push(() => fs.rm(outside, { recursive: true, force: true }));
  const { agent, repo, model } = await setup([
    { toolCalls: [{ name: 'read_file', arguments: { path: path.join(outside, 'secret.txt') } }] },
    {
      toolCalls: [{ name: 'read_file', arguments: { path: '../' + path.basename(outside) + '/secret.txt' } }],
    },
    { text: 'cannot' },
    { toolCalls: [{ name: 'read_file', arguments: { path: path.join(outside, 'secret.txt') } }] },
    { text: 'read it' },
  ]);
  await fs.symlink(outside, path.join(repo, 'link'));
  const first = await agent.newSession(repo);
  await agent.prompt(first.sessionId, 'read it');
  const results = model.requests.slice(1, 3).map((r) => String(r.messages.at(-1)?.content));
  for (const r of results) assert.match(r, /outside the workspace/);
  assert.ok(!results.join('').includes('top secret'));

  const second = await agent.newSession(repo, { additionalDirectories: [outside] });
  await agent.prompt(second.sessionId, 'read it');
  assert.match(String(model.requests[4]!.messages.at(-1)?.content), /top secret/);
});

test('plan mode offers only read-only tools', async () => {
  const { agent, repo, model } = await setup([{ text: 'Here is the plan.' }]);
  const { sessionId } = await agent.newSession(repo);
  await agent.request('session/set_mode', { sessionId, modeId: 'plan' });
  await agent.prompt(sessionId, 'plan it');
  const names = (model.requests[0]!.tools ?? []).map((t) => t.function.name);
  assert.ok(names.includes('read_file') && names.includes('search_files'));
  assert.ok(!names.includes('write_file') && !names.includes('edit_file') && !names.includes('terminal'));
  assert.equal(agent.updatesOf(sessionId, 'current_mode_update').at(-1)?.currentModeId, 'plan');
});

test('config options switch mode and model', async () => {
  const { agent, repo, model } = await setup([{ text: 'one' }], {
    config: { model: { choices: ['other-model'] }, terminal: { backend: 'local' } },
  });
  const created = await agent.newSession(repo);
  const ids = created.configOptions?.map((o) => o.id);
  assert.deepEqual(ids, ['mode', 'model', 'reasoning_effort']);
  const res = await agent.request('session/set_config_option', {
    sessionId: created.sessionId,
    configId: 'model',
    value: 'other-model',
  });
  const modelOption = res.configOptions.find((o) => o.id === 'model');
  assert.equal(modelOption?.currentValue, 'other-model');
  await agent.prompt(created.sessionId, 'hi');
  assert.equal(model.requests[0]!.model, 'other-model');
});

test('cancel stops a hanging model stream and a pending approval; the session stays usable', async () => {
  let calls = 0;
  const { agent, repo, model } = await setup(
    () => {
      calls++;
      if (calls === 1) return { fault: 'hang' };
      if (calls === 2)
        return { toolCalls: [{ name: 'write_file', arguments: { path: 'x.txt', content: 'x' } }] };
      return { text: 'still here' };
    },
    {
      permission: async () => {
        await new Promise((r) => setTimeout(r, 60_000).unref());
        return 'allow_once';
      },
    },
  );
  const { sessionId } = await agent.newSession(repo);
  const hanging = agent.prompt(sessionId, 'hang');
  // Cancel once the model has the request (a fixed wait can land before the turn starts on a
  // loaded machine, and this test is about cancelling a hanging stream).
  while (model.requests.length === 0) await new Promise((r) => setTimeout(r, 50));
  await agent.notify('session/cancel', { sessionId });
  assert.equal((await hanging).stopReason, 'cancelled');

  const waiting = agent.prompt(sessionId, 'write');
  while (agent.permissions.length === 0) await new Promise((r) => setTimeout(r, 50));
  await agent.notify('session/cancel', { sessionId });
  assert.equal((await waiting).stopReason, 'cancelled');
  await assert.rejects(fs.access(path.join(repo, 'x.txt')), 'nothing was written');

  assert.equal((await agent.prompt(sessionId, 'again')).stopReason, 'end_turn');
  assert.match(agent.agentText(sessionId), /still here/);
});

test('a cancel sent in the same write as its prompt still cancels it (handlers start in arrival order)', async () => {
  const { agent, repo } = await setup(() => ({ fault: 'hang' }), {
    config: { terminal: { backend: 'local' }, model: { firstByteTimeoutSec: 600 } },
  });
  const { sessionId } = await agent.newSession(repo);
  const out: string[] = [];
  agent.child.stdout!.on('data', (d: Buffer) => out.push(d.toString()));
  const prompt = {
    jsonrpc: '2.0',
    id: 7001,
    method: 'session/prompt',
    params: { sessionId, prompt: [{ type: 'text', text: 'hang' }] },
  };
  const cancel = { jsonrpc: '2.0', method: 'session/cancel', params: { sessionId } };
  for (let round = 0; round < 5; round++) {
    const id = 7001 + round;
    out.length = 0;
    agent.child.stdin!.write(`${JSON.stringify({ ...prompt, id })}\n${JSON.stringify(cancel)}\n`);
    const answer = () =>
      out
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { id?: unknown; result?: { stopReason?: string } })
        .find((m) => m.id === id);
    // Without the fix the turn waits on the hanging model (a 600 s first-byte timeout).
    const deadline = Date.now() + 60_000;
    while (!answer() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(answer()?.result?.stopReason, 'cancelled', `round ${round}`);
  }
});

test('model failures: retries 429/500, then a clear error; a cut stream fails the turn only', async () => {
  const { agent, repo, model } = await setup(
    [
      { fault: 'http_429' },
      { fault: 'http_500' },
      { text: 'recovered' },
      { text: 'partial answer that is cut', fault: 'cut_stream' },
      { text: 'fine again' },
    ],
    { config: { model: { maxRetries: 2 }, terminal: { backend: 'local' } } },
  );
  const { sessionId } = await agent.newSession(repo);
  assert.equal((await agent.prompt(sessionId, 'one')).stopReason, 'end_turn');
  assert.match(agent.agentText(sessionId), /recovered/);
  assert.equal(model.requests.length, 3);

  await assert.rejects(agent.prompt(sessionId, 'two'), (err: Error & { code?: number }) => {
    assert.match(err.message, /broke off|cut|terminated|stream/i);
    return true;
  });
  assert.equal((await agent.prompt(sessionId, 'three')).stopReason, 'end_turn');
  assert.match(agent.agentText(sessionId), /fine again/);
});

test('without a model, session/new works and prompt answers auth_required with what to set', async () => {
  const { agent, repo } = await setup([], { noModel: true });
  const { sessionId } = await agent.newSession(repo);
  await assert.rejects(agent.prompt(sessionId, 'hello'), (err: Error & { code?: number }) => {
    assert.equal(err.code, -32000);
    assert.match(err.message, /OPENAI_API_KEY/);
    return true;
  });
  assert.ok(!agent.stderr.includes('    at '), 'no stack trace');
});

test('malformed lines, unknown methods, bad params and unknown sessions get errors; the server keeps serving', async () => {
  const { agent, repo } = await setup([{ text: 'alive' }]);
  const raw = (line: string) => agent.child.stdin!.write(line + '\n');
  const out: string[] = [];
  agent.child.stdout!.on('data', (d: Buffer) => out.push(d.toString()));
  raw('{ this is not json');
  raw(JSON.stringify({ jsonrpc: '2.0', id: 9001, method: 'no/such_method', params: {} }));
  raw(JSON.stringify({ jsonrpc: '2.0', id: 9002, method: 'session/new', params: { cwd: 42 } }));
  raw(
    JSON.stringify({
      jsonrpc: '2.0',
      id: 9003,
      method: 'session/prompt',
      params: { sessionId: 'nope', prompt: [] },
    }),
  );
  raw(
    JSON.stringify({
      jsonrpc: '2.0',
      id: 9004,
      method: 'session/new',
      params: { cwd: 'relative/dir', mcpServers: [] },
    }),
  );
  // Wait for all five answers (no fixed sleep: a loaded machine may take seconds), bounded.
  const answers = () =>
    out
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { id: unknown; error?: { code: number } });
  const deadline = Date.now() + 60_000;
  while (answers().length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const byId = new Map(answers().map((l) => [l.id, l]));
  assert.equal(byId.get(null)?.error?.code, -32700);
  assert.equal(byId.get(9001)?.error?.code, -32601);
  assert.equal(byId.get(9002)?.error?.code, -32602);
  assert.equal(byId.get(9003)?.error?.code, -32002);
  assert.equal(byId.get(9004)?.error?.code, -32602);
  const { sessionId } = await agent.newSession(repo);
  assert.equal((await agent.prompt(sessionId, 'still there?')).stopReason, 'end_turn');
});

test('slash commands are listed after session/new and /status answers without the model', async () => {
  const { agent, repo, model } = await setup([]);
  const { sessionId } = await agent.newSession(repo);
  await agent.prompt(sessionId, '/status');
  assert.match(agent.agentText(sessionId), /Mode: ask/);
  await agent.prompt(sessionId, '/help');
  for (const name of ['/help', '/status', '/memory', '/skills', '/compact']) {
    assert.ok(agent.agentText(sessionId).includes('`' + name), `/help lists ${name}`);
  }
  assert.equal(model.requests.length, 0);
  const commands =
    agent
      .updatesOf(sessionId, 'available_commands_update')
      .at(-1)
      ?.availableCommands.map((c) => c.name) ?? [];
  assert.ok(commands.includes('help') && commands.includes('status'));
});

test('stdout carries only JSON-RPC', async () => {
  const { agent, repo } = await setup([{ text: 'x' }]);
  const out: string[] = [];
  agent.child.stdout!.on('data', (d: Buffer) => out.push(d.toString()));
  const { sessionId } = await agent.newSession(repo);
  await agent.prompt(sessionId, 'hi');
  for (const line of out.join('').split('\n').filter(Boolean)) {
    assert.equal((JSON.parse(line) as { jsonrpc: string }).jsonrpc, '2.0');
  }
});
