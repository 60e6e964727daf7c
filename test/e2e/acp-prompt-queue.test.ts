import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { startScriptedModel } from '../fixtures/model-server.js';
import { AcpHarness } from '../helpers/acp-harness.js';
import { cleanEnv, tempDir } from '../helpers/env.js';

// The built `cairn acp` over stdio: prompts that arrive during a turn wait for it.

test('a prompt during a turn is queued; cancel answers it cancelled; a prompt right after cancel runs', async (t) => {
  let calls = 0;
  const model = await startScriptedModel(() =>
    ++calls === 1 ? { fault: 'hang' } : { text: 'fresh answer' },
  );
  const repo = await tempDir('queue-repo');
  const home = await tempDir('queue-home');
  await fs.writeFile(path.join(home, 'config.json'), JSON.stringify({ terminal: { backend: 'local' } }));
  const env = cleanEnv({
    CAIRN_HOME: home,
    HOME: home,
    OPENAI_BASE_URL: model.url,
    CAIRN_MODEL: 'scripted',
    OPENAI_API_KEY: 'sk-test-not-real',
  });
  const agent = await AcpHarness.start({ env });
  t.after(async () => {
    await agent.close();
    await model.close();
    await fs.rm(repo, { recursive: true, force: true });
    await fs.rm(home, { recursive: true, force: true });
  });
  await agent.request('initialize', { protocolVersion: 1, clientCapabilities: {} });
  const { sessionId } = await agent.newSession(repo);

  const hanging = agent.prompt(sessionId, 'hang');
  while (model.requests.length === 0) await new Promise((r) => setTimeout(r, 50));
  const queued = agent.prompt(sessionId, 'queued behind it');
  await agent.notify('session/cancel', { sessionId });
  // Editors cancel and re-send at once, before the cancelled answer arrives.
  const resent = agent.prompt(sessionId, 'again');
  assert.equal((await hanging).stopReason, 'cancelled');
  assert.equal((await queued).stopReason, 'cancelled');
  assert.equal((await resent).stopReason, 'end_turn');
  assert.match(agent.agentText(sessionId), /fresh answer/);
  assert.equal(model.requests.length, 2);
  assert.ok(!JSON.stringify(model.requests[1]).includes('queued behind it'));
});

test('/steer during a turn is answered at once (steered) and reaches the model before its next request', async (t) => {
  // The turn runs a command that waits for a file the test creates, so the steer arrives mid-turn.
  const model = await startScriptedModel((body) => {
    const last = body.messages[body.messages.length - 1];
    if (last?.role === 'user' && last.content === 'start')
      return {
        toolCalls: [{ name: 'terminal', arguments: { command: 'while [ ! -f go ]; do sleep 0.1; done' } }],
      };
    return { text: last?.role === 'user' ? `heard: ${String(last.content)}` : 'no steer seen' };
  });
  const repo = await tempDir('steer-repo');
  const home = await tempDir('steer-home');
  await fs.writeFile(path.join(home, 'config.json'), JSON.stringify({ terminal: { backend: 'local' } }));
  const env = cleanEnv({
    CAIRN_HOME: home,
    HOME: home,
    OPENAI_BASE_URL: model.url,
    CAIRN_MODEL: 'scripted',
    OPENAI_API_KEY: 'sk-test-not-real',
  });
  const agent = await AcpHarness.start({ env });
  t.after(async () => {
    await agent.close();
    await model.close();
    await fs.rm(repo, { recursive: true, force: true });
    await fs.rm(home, { recursive: true, force: true });
  });
  const { sessionId } = await agent.newSession(repo);
  const turn = agent.prompt(sessionId, 'start');
  while (!agent.updatesOf(sessionId, 'tool_call_update').some((u) => u.status === 'in_progress'))
    await new Promise((r) => setTimeout(r, 50));
  const steer = await agent.prompt(sessionId, '/steer check the README too');
  assert.deepEqual(steer, { stopReason: 'end_turn', _meta: { cairn: { steered: true } } });
  await fs.writeFile(path.join(repo, 'go'), '');
  assert.equal((await turn).stopReason, 'end_turn');
  assert.equal(model.requests.length, 2);
  const second = model.requests[1]!.messages;
  assert.deepEqual(
    second.slice(-2).map((m) => m.role),
    ['tool', 'user'],
  );
  assert.match(agent.agentText(sessionId), /heard: check the README too/);
});
