import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { startScriptedModel, type Script, type ScriptedModel } from '../fixtures/model-server.js';
import { AcpHarness } from '../helpers/acp-harness.js';
import { cleanEnv, tempDir } from '../helpers/env.js';
import { JournalHistoryStore } from '../../agent-server/history/index.js';

// Sessions that outlive the server: the built `cairn acp`, restarted and killed, driven by the
// ACP SDK's client side like an editor.

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

interface World {
  model: ScriptedModel;
  repo: string;
  home: string;
  start(): Promise<AcpHarness>;
}

async function world(script: Script): Promise<World> {
  const model = await startScriptedModel(script);
  const repo = await tempDir('repo');
  const home = await tempDir('home');
  await fs.writeFile(path.join(home, 'config.json'), JSON.stringify({ terminal: { backend: 'local' } }));
  await fs.writeFile(path.join(repo, 'notes.txt'), 'queue: redis streams\n');
  const env = cleanEnv({
    CAIRN_HOME: home,
    HOME: home,
    OPENAI_BASE_URL: model.url,
    CAIRN_MODEL: 'scripted',
    OPENAI_API_KEY: 'sk-test-not-real',
  });
  const agents: AcpHarness[] = [];
  cleanups.push(async () => {
    for (const a of agents) await a.close().catch(() => undefined);
    await model.close();
    await fs.rm(repo, { recursive: true, force: true });
    await fs.rm(home, { recursive: true, force: true });
  });
  return {
    model,
    repo,
    home,
    async start() {
      const agent = await AcpHarness.start({ env });
      agents.push(agent);
      return agent;
    },
  };
}

const text = (u: { content: { type: string; text?: string } }) =>
  u.content.type === 'text' ? u.content.text! : '';

test('restart between two prompts: list, load with full replay, and continue the same session', async () => {
  const w = await world([
    {
      text: 'Looking at the notes.',
      toolCalls: [{ name: 'read_file', arguments: { path: 'notes.txt' } }],
      usage: { prompt_tokens: 1200, completion_tokens: 40 },
    },
    {
      text: 'We settled on Redis streams for the queue.',
      usage: { prompt_tokens: 1300, completion_tokens: 20 },
    },
    { text: 'Still Redis streams.' },
  ]);
  const first = await w.start();
  const init = await first.request('initialize', { protocolVersion: 1, clientCapabilities: {} });
  assert.equal(init.agentCapabilities?.loadSession, true);
  assert.ok(init.agentCapabilities?.sessionCapabilities?.list);
  assert.ok(init.agentCapabilities?.sessionCapabilities?.resume);
  assert.ok(init.agentCapabilities?.sessionCapabilities?.delete);
  const { sessionId } = await first.newSession(w.repo);
  await first.prompt(sessionId, 'Which queue did we pick? Check notes.txt');
  const info = first.updatesOf(sessionId, 'session_info_update');
  assert.equal(info[0]?.title, 'Which queue did we pick? Check notes.txt');
  const usage = first.updatesOf(sessionId, 'usage_update');
  assert.equal(usage.length, 1);
  assert.equal(usage[0]!.used, 1320);
  assert.ok(usage[0]!.size > 0);
  await first.close();

  const second = await w.start();
  const listed = await second.request('session/list', { cwd: w.repo });
  assert.deepEqual(
    listed.sessions.map((s) => [s.sessionId, s.title]),
    [[sessionId, 'Which queue did we pick? Check notes.txt']],
  );
  assert.ok(listed.sessions[0]!.updatedAt);
  assert.deepEqual((await second.request('session/list', { cwd: '/somewhere/else' })).sessions, []);

  await second.request('session/load', { sessionId, cwd: w.repo, mcpServers: [] });
  // Replayed before the answer: the user's words, the agent's, the tool call as it ended.
  const replay = second.updates.filter((n) => n.sessionId === sessionId).map((n) => n.update);
  const kinds = replay.map((u) => u.sessionUpdate).filter((k) => k !== 'available_commands_update');
  assert.deepEqual(kinds, ['user_message_chunk', 'agent_message_chunk', 'tool_call', 'agent_message_chunk']);
  assert.equal(
    text(second.updatesOf(sessionId, 'user_message_chunk')[0]!),
    'Which queue did we pick? Check notes.txt',
  );
  assert.equal(
    second.agentText(sessionId),
    'Looking at the notes.We settled on Redis streams for the queue.',
  );
  const call = second.updatesOf(sessionId, 'tool_call')[0]!;
  assert.equal(call.status, 'completed');
  assert.equal(call.kind, 'read');
  assert.equal(call.title, 'Read notes.txt');

  await second.prompt(sessionId, 'And now?');
  const last = w.model.requests[w.model.requests.length - 1]!;
  const said = last.messages.map(
    (m) => `${String(m.role)}:${typeof m.content === 'string' ? m.content : ''}`,
  );
  assert.ok(
    said.includes('user:Which queue did we pick? Check notes.txt'),
    'the model sees the earlier turn',
  );
  assert.ok(said.includes('assistant:We settled on Redis streams for the queue.'));
  assert.ok(said.some((m) => m.startsWith('tool:') && m.includes('redis streams')));
  assert.equal(said[said.length - 1], 'user:And now?');
});

test('session_search answers "what did we decide" from an earlier session, and delete removes a session', async () => {
  const w = await world((req) => {
    const last = req.messages[req.messages.length - 1]!;
    if (last.role === 'tool') return { text: 'Per the earlier session: Postgres, for replication.' };
    if (String(last.content).startsWith('What did we decide'))
      return { toolCalls: [{ name: 'session_search', arguments: { query: 'decide database' } }] };
    return { text: 'Decided: we use Postgres for the database because of replication.' };
  });
  const agent = await w.start();
  const old = await agent.newSession(w.repo);
  await agent.prompt(old.sessionId, 'Pick a database for the service');
  const now = await agent.newSession(w.repo);
  await agent.prompt(now.sessionId, 'What did we decide about the database last week?');
  const toolResult = w.model.requests[w.model.requests.length - 1]!.messages.find((m) => m.role === 'tool');
  assert.ok(toolResult, 'session_search ran');
  const out = String(toolResult.content);
  assert.match(out, new RegExp(`Session ${old.sessionId}: "Pick a database for the service"`));
  assert.match(out, /\[Decided\]: we use Postgres for the \[database\]/);

  await agent.request('session/delete', { sessionId: old.sessionId });
  const ids = (await agent.request('session/list', {})).sessions.map((s) => s.sessionId);
  assert.deepEqual(ids, [now.sessionId]);
  await assert.rejects(
    agent.request('session/load', { sessionId: old.sessionId, cwd: w.repo, mcpServers: [] }),
  );
});

test('kill -9 in the middle of turns: no acknowledged turn is lost, and the index matches the journal', async (t) => {
  // Slow streams so kills land mid-turn: while text streams, while a tool runs, between turns.
  const w = await world((req, i) => {
    const last = req.messages[req.messages.length - 1]!;
    if (last.role === 'tool') return { text: `done ${i} `.repeat(20), chunkSize: 8, delayMs: 2 };
    return {
      text: `turn ${i} starting `,
      toolCalls: [{ name: 'read_file', arguments: { path: 'notes.txt' } }],
      chunkSize: 4,
      delayMs: 2,
    };
  });
  let sessionId: string | undefined;
  const acknowledged: string[] = [];
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let round = 0; round < 6; round++) {
    const agent = await w.start();
    if (!sessionId) sessionId = (await agent.newSession(w.repo)).sessionId;
    else await agent.request('session/load', { sessionId, cwd: w.repo, mcpServers: [] });
    // Kills land in turns, not while the session is still being built (on a busy machine that
    // can take most of the window): its commands are announced once it is ready.
    for (let i = 0; i < 1000 && !agent.updatesOf(sessionId, 'available_commands_update').length; i++)
      await new Promise((r) => setTimeout(r, 10));
    const killAt = Date.now() + 100 + random() * 900;
    const killer = setInterval(() => {
      if (Date.now() >= killAt) agent.child.kill('SIGKILL');
    }, 5);
    try {
      for (let n = 0; ; n++) {
        const words = `round ${round} prompt ${n}`;
        await agent.prompt(sessionId, words);
        acknowledged.push(words);
      }
    } catch {
      // The server died under the prompt: that one was never acknowledged.
    } finally {
      clearInterval(killer);
    }
    await new Promise((r) =>
      agent.child.exitCode !== null || agent.child.signalCode ? r(null) : agent.child.once('exit', r),
    );
  }
  t.diagnostic(`acknowledged turns before the kills: ${acknowledged.length}`);
  assert.ok(acknowledged.length > 0, 'some turns completed before the kills');

  const agent = await w.start();
  await agent.request('session/load', { sessionId: sessionId!, cwd: w.repo, mcpServers: [] });
  const replayed = agent.updatesOf(sessionId!, 'user_message_chunk').map(text);
  for (const words of acknowledged)
    assert.ok(replayed.includes(words), `acknowledged prompt "${words}" was lost`);
  await agent.close();

  // The index (snapshot + tail) and a rebuild from the journal alone agree.
  const rebuilt = path.join(w.home, 'rebuilt');
  await fs.cp(path.join(w.home, 'history', 'journal'), path.join(rebuilt, 'journal'), { recursive: true });
  const fromJournal = await JournalHistoryStore.open(rebuilt);
  const fromIndex = await JournalHistoryStore.open(path.join(w.home, 'history'));
  assert.deepEqual(await fromIndex.readSession(sessionId!), await fromJournal.readSession(sessionId!));
  assert.deepEqual(
    (await fromIndex.search({ query: 'prompt', limit: 200 })).map((h) => h.ord).sort(),
    (await fromJournal.search({ query: 'prompt', limit: 200 })).map((h) => h.ord).sort(),
  );
  await Promise.all([fromIndex.close(), fromJournal.close()]);
});

test('compaction: near the window the older turns are summarised into a linked child session; /compact on demand', async () => {
  const summaries: number[] = [];
  const w = await world((req, i) => {
    const system = String(req.messages[0]?.content ?? '');
    if (system.startsWith('You summarise')) {
      summaries.push(i);
      return { text: `## Goal\n- Ship the parser (summary ${summaries.length})` };
    }
    const last = String(req.messages[req.messages.length - 1]?.content ?? '');
    const n = /^question (\d+)/.exec(last)?.[1] ?? '?';
    // The third answer leaves the 4,000-token window 90% full (the text itself is far less).
    return { text: `answer ${n}`, usage: { prompt_tokens: n === '3' ? 3600 : 200, completion_tokens: 20 } };
  });
  await fs.writeFile(
    path.join(w.home, 'config.json'),
    JSON.stringify({ model: { contextWindow: 4000 }, terminal: { backend: 'local' } }),
  );
  const agent = await AcpHarness.start({
    env: cleanEnv({
      CAIRN_HOME: w.home,
      HOME: w.home,
      OPENAI_BASE_URL: w.model.url,
      CAIRN_MODEL: 'scripted',
      OPENAI_API_KEY: 'sk-test-not-real',
    }),
    clientCapabilities: { session: { compaction: {} } },
  });
  cleanups.push(() => agent.close());
  const { sessionId } = await agent.newSession(w.repo);
  for (const n of [1, 2, 3]) await agent.prompt(sessionId, `question ${n}`);
  assert.equal(summaries.length, 0);
  await agent.prompt(sessionId, 'question 4');
  assert.equal(summaries.length, 1, 'the fourth turn started with a compaction');
  const updates = agent.updatesOf(sessionId, 'compaction_update');
  assert.deepEqual(
    updates.map((u) => u.status),
    ['in_progress', 'completed'],
  );
  assert.deepEqual(updates[1]!.summary, [{ type: 'text', text: '## Goal\n- Ship the parser (summary 1)' }]);
  // The model now sees the summary and the two latest turns, not the first one.
  const sent = w.model.requests[w.model.requests.length - 1]!.messages.map((m) => String(m.content));
  assert.match(sent[1]!, /^\[Summary of the earlier conversation[\s\S]*Ship the parser \(summary 1\)/);
  assert.deepEqual(sent.slice(2), ['question 2', 'answer 2', 'question 3', 'answer 3', 'question 4']);

  // History: the parent is continued by a child; the list shows the child, with the title.
  const listed = (await agent.request('session/list', { cwd: w.repo })).sessions;
  assert.equal(listed.length, 1);
  const child = listed[0]!.sessionId;
  assert.notEqual(child, sessionId);
  assert.equal(listed[0]!.title, 'question 1');

  // /compact on demand summarises again (the old summary and turn 2 this time).
  await agent.prompt(sessionId, '/compact');
  assert.equal(summaries.length, 2);
  assert.match(agent.agentText(sessionId), /Compacted 3 earlier messages into a summary/);
  await agent.close();

  // After a restart, loading either id shows the whole conversation once, with the compactions marked.
  const again = await w.start();
  await again.request('session/load', { sessionId, cwd: w.repo, mcpServers: [] });
  const users = again.updatesOf(sessionId, 'user_message_chunk').map(text);
  assert.deepEqual(users, ['question 1', 'question 2', 'question 3', 'question 4']);
  assert.equal((again.agentText(sessionId).match(/summarised to free context/g) ?? []).length, 2);
  assert.match(again.agentText(sessionId), /answer 1[\s\S]*answer 3[\s\S]*summarised[\s\S]*answer 4/);
  await again.prompt(sessionId, 'question 5');
  const resumed = w.model.requests[w.model.requests.length - 1]!.messages.map((m) => String(m.content));
  assert.match(resumed[1]!, /summary 2/);
  assert.equal(resumed[resumed.length - 1], 'question 5');
  void child;
});
