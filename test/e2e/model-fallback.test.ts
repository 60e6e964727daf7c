import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type * as unstable from '@agentclientprotocol/sdk/unstable';
import { startScriptedModel, type Script, type ScriptedModel } from '../fixtures/model-server.js';
import { AcpHarness } from '../helpers/acp-harness.js';
import { cleanEnv, tempDir } from '../helpers/env.js';

// The built `cairn acp` over stdio against the scripted HTTP model: fallbacks, usage and cost in
// the prompt response, and a model the endpoint does not list.

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function setup(
  script: Script,
  models?: string[],
): Promise<{ agent: AcpHarness; model: ScriptedModel; repo: string }> {
  const model = await startScriptedModel(script, models ? { models } : {});
  const repo = await tempDir('fallback-repo');
  const home = await tempDir('fallback-home');
  await fs.writeFile(
    path.join(home, 'config.json'),
    JSON.stringify({
      terminal: { backend: 'local' },
      model: {
        maxRetries: 1,
        fallbacks: [{ model: 'beta' }],
        prices: { beta: { inputPerMTok: 1, outputPerMTok: 1 } },
      },
    }),
  );
  const env = cleanEnv({
    CAIRN_HOME: home,
    HOME: home,
    OPENAI_BASE_URL: model.url,
    CAIRN_MODEL: 'alpha',
    OPENAI_API_KEY: 'sk-test-not-real',
  });
  const agent = await AcpHarness.start({ env });
  cleanups.push(async () => {
    await agent.close();
    await model.close();
    await fs.rm(repo, { recursive: true, force: true });
    await fs.rm(home, { recursive: true, force: true });
  });
  await agent.request('initialize', { protocolVersion: 1, clientCapabilities: {} });
  return { agent, model, repo };
}

test('the first model answers 503s: the turn continues on the fallback, the client is told, usage and cost come back', async () => {
  const { agent, model, repo } = await setup(
    (body) =>
      body.model === 'alpha'
        ? { fault: 'http_503' }
        : { text: 'Beta here.', usage: { prompt_tokens: 400_000, completion_tokens: 100_000 } },
    ['alpha', 'beta'],
  );
  const { sessionId } = await agent.newSession(repo);
  const response = (await agent.prompt(sessionId, 'hello')) as unstable.PromptResponse;
  assert.equal(response.stopReason, 'end_turn');
  assert.deepEqual(
    model.requests.map((r) => r.model),
    ['alpha', 'alpha', 'beta'],
  );
  const text = agent.agentText(sessionId);
  assert.match(
    text,
    /alpha \(custom endpoint, http:\/\/127\.0\.0\.1:\d+\/v1\) failed: The model provider failed \(503\)/,
  );
  assert.match(text, /Continuing on beta/);
  assert.match(text, /Beta here\./);
  assert.deepEqual(response.usage, {
    inputTokens: 400_000,
    outputTokens: 100_000,
    totalTokens: 500_000,
    _meta: { cairn: { costUsd: 0.5 } },
  });
  assert.deepEqual(agent.updatesOf(sessionId, 'usage_update').at(-1)?.cost, { amount: 0.5, currency: 'USD' });

  await assert.rejects(
    agent.request('session/set_config_option', { sessionId, configId: 'model', value: 'gamma' }),
    (err: { code: number; message: string }) =>
      err.code === -32602 && /has no model "gamma"\. It offers: alpha, beta\./.test(err.message),
  );
});

test('a rejected key (401) does not fall back', async () => {
  const { agent, model, repo } = await setup((body) =>
    body.model === 'alpha' ? { fault: 'http_401' } : { text: 'never' },
  );
  const { sessionId } = await agent.newSession(repo);
  await assert.rejects(agent.prompt(sessionId, 'hello'), { code: -32000 });
  assert.deepEqual(
    model.requests.map((r) => r.model),
    ['alpha'],
  );
});
