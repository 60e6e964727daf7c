import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type * as acp from '@agentclientprotocol/sdk';
import { startScriptedModel, type ChatRequestBody } from '../fixtures/model-server.js';
import { AcpHarness } from '../helpers/acp-harness.js';
import { cleanEnv, tempDir } from '../helpers/env.js';

// The built `cairn acp` over stdio, killed and started again: sessions come back as they were
// left (settings, forks), each in a fresh process.

/** Names the prompt it answers, so each branch's history shows what it saw. */
function lastUser(body: ChatRequestBody): string {
  const last = [...body.messages].reverse().find((m) => m.role === 'user');
  return String(last?.content);
}

async function setUp(t: import('node:test').TestContext) {
  const model = await startScriptedModel((body) => ({ text: `answer to ${lastUser(body)}` }), {
    models: ['scripted', 'other-model'],
  });
  const repo = await tempDir('conv-repo');
  const home = await tempDir('conv-home');
  await fs.writeFile(
    path.join(home, 'config.json'),
    JSON.stringify({ terminal: { backend: 'local' }, model: { choices: ['other-model'] } }),
  );
  const env = cleanEnv({
    CAIRN_HOME: home,
    HOME: home,
    OPENAI_BASE_URL: model.url,
    CAIRN_MODEL: 'scripted',
    OPENAI_API_KEY: 'sk-test-not-real',
  });
  const agents: AcpHarness[] = [];
  t.after(async () => {
    for (const a of agents) await a.close();
    await model.close();
    await fs.rm(repo, { recursive: true, force: true });
    await fs.rm(home, { recursive: true, force: true });
  });
  const start = async () => {
    const agent = await AcpHarness.start({ env });
    agents.push(agent);
    return agent;
  };
  /** Ends the server the hard way: nothing gets a chance to flush on exit. */
  const kill = async (agent: AcpHarness) => {
    const exited = new Promise((r) => agent.child.once('exit', r));
    agent.child.kill('SIGKILL');
    await exited;
  };
  return { model, repo, start, kill };
}

function userTexts(agent: AcpHarness, sessionId: string): string[] {
  return agent
    .updatesOf(sessionId, 'user_message_chunk')
    .map((u) => (u.content.type === 'text' ? u.content.text : ''));
}

test('mode auto and another model, server killed, loaded in a fresh process: mode and model as set', async (t) => {
  const { model, repo, start, kill } = await setUp(t);
  const first = await start();
  const { sessionId } = await first.newSession(repo);
  await first.request('session/set_mode', { sessionId, modeId: 'auto' });
  await first.request('session/set_config_option', { sessionId, configId: 'model', value: 'other-model' });
  assert.equal((await first.prompt(sessionId, 'hello')).stopReason, 'end_turn');
  await kill(first);

  const second = await start();
  const loaded = await second.request('session/load', { sessionId, cwd: repo, mcpServers: [] });
  assert.equal(loaded.modes?.currentModeId, 'auto');
  const chosen = loaded.configOptions?.find((o) => o.id === 'model');
  assert.equal(chosen && 'currentValue' in chosen ? chosen.currentValue : undefined, 'other-model');
  await second.prompt(sessionId, 'again');
  assert.equal(model.requests.at(-1)?.model, 'other-model');
});

test('fork at a message, continue both branches, load each in a fresh process: each replays its own history', async (t) => {
  const { repo, start, kill } = await setUp(t);
  const first = await start();
  const { sessionId } = await first.newSession(repo);
  await first.prompt(sessionId, 'one');
  await first.prompt(sessionId, 'two');
  const fork = await first.connection.agent.request<acp.NewSessionResponse>('session/fork', {
    sessionId,
    cwd: repo,
    mcpServers: [],
    _meta: { cairn: { beforeUserMessage: 1 } },
  });
  await first.prompt(fork.sessionId, 'three');
  await first.prompt(sessionId, 'four');
  await kill(first);

  const second = await start();
  await second.request('session/load', { sessionId, cwd: repo, mcpServers: [] });
  await second.request('session/load', { sessionId: fork.sessionId, cwd: repo, mcpServers: [] });
  assert.deepEqual(userTexts(second, sessionId), ['one', 'two', 'four']);
  assert.deepEqual(userTexts(second, fork.sessionId), ['one', 'three']);
  assert.match(second.agentText(fork.sessionId), /answer to one.*answer to three/s);
  assert.doesNotMatch(second.agentText(fork.sessionId), /answer to two/);
});
