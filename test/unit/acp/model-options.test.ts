import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type * as unstable from '@agentclientprotocol/sdk/unstable';
import type { ModelClient } from '../../../agent-server/core/model-client.js';
import { InMemoryHistoryStore } from '../../../agent-server/history/index.js';
import { loadRuntimeServices, type RuntimeServices } from '../../../agent-server/runtime/services.js';
import type { Script } from '../../fixtures/model-server.js';
import { startScriptedModel } from '../../fixtures/model-server.js';
import { ScriptedModelClient } from '../../fixtures/scripted-model-client.js';
import { InProcessAcp } from '../../helpers/acp-in-process.js';
import { cleanEnv, tempDir } from '../../helpers/env.js';

// Fallbacks, usage and cost, /status, reasoning effort and model validation through the ACP adapter.

interface Setup {
  client: InProcessAcp;
  services: RuntimeServices;
  repo: string;
  models: Record<string, ScriptedModelClient>;
}

/**
 * In-process models by id (`scripts`), behind an endpoint whose /models lists `listed`: the
 * scripted HTTP server answers the model list, the in-process clients the turns.
 */
async function setup(
  t: { after: (fn: () => Promise<void>) => void },
  opts: { scripts: Record<string, Script>; model: string; config?: object; listed?: string[] },
): Promise<Setup> {
  const home = await tempDir('model-options-home');
  const repo = await tempDir('model-options-repo');
  const endpoint = await startScriptedModel([], opts.listed ? { models: opts.listed } : {});
  await fs.writeFile(
    path.join(home, 'config.json'),
    JSON.stringify({ terminal: { backend: 'local' }, ...(opts.config ?? {}) }),
  );
  const env = cleanEnv({
    CAIRN_HOME: home,
    OPENAI_BASE_URL: endpoint.url,
    OPENAI_API_KEY: 'sk-test-not-used',
    CAIRN_MODEL: opts.model,
  });
  const models = Object.fromEntries(
    Object.entries(opts.scripts).map(([id, script]) => [id, new ScriptedModelClient(script, id)]),
  );
  const services: RuntimeServices = {
    ...loadRuntimeServices(env),
    history: new InMemoryHistoryStore(),
    modelClient: (m): ModelClient => models[m.model] ?? new ScriptedModelClient([], m.model),
  };
  const client = await InProcessAcp.start({ services });
  t.after(async () => {
    await client.close();
    await services.mcp.closeAll();
    await endpoint.close();
    await fs.rm(home, { recursive: true, force: true });
    await fs.rm(repo, { recursive: true, force: true });
  });
  return { client, services, repo, models };
}

const messages = (client: InProcessAcp, sessionId: string) =>
  client
    .updatesOf(sessionId, 'agent_message_chunk')
    .map((u) => (u.content.type === 'text' ? u.content.text : ''))
    .join('');

test('the first model fails with 503s: the turn continues on the fallback and the client is told which', async (t) => {
  const { client, repo, models } = await setup(t, {
    model: 'alpha',
    scripts: { alpha: [{ fault: 'http_503' }], beta: [{ text: 'Beta answered.' }] },
    config: { model: { fallbacks: [{ model: 'beta' }] } },
  });
  const { sessionId } = await client.newSession(repo);
  const response = await client.prompt(sessionId, 'hello');
  assert.equal(response.stopReason, 'end_turn');
  const text = messages(client, sessionId);
  assert.match(
    text,
    /alpha \(custom endpoint, http:\/\/127\.0\.0\.1:\d+\/v1\) failed: .*overloaded.* Continuing on beta/,
  );
  assert.match(text, /Beta answered\./);
  assert.equal(models.beta!.requests.length, 1);

  await client.prompt(sessionId, '/status');
  assert.match(messages(client, sessionId), /Answering: beta .*\(fallback\)/);
});

test('a rejected key (401) does not fall back: the prompt fails as an auth error', async (t) => {
  const { client, repo, models } = await setup(t, {
    model: 'alpha',
    scripts: { alpha: [{ fault: 'http_401' }], beta: [{ text: 'never' }] },
    config: { model: { fallbacks: [{ model: 'beta' }] } },
  });
  const { sessionId } = await client.newSession(repo);
  await assert.rejects(client.prompt(sessionId, 'hello'), { code: -32000 });
  assert.equal(models.beta!.requests.length, 0);
});

test('the prompt response carries the turn usage and cost; usage_update the session cost; /status both', async (t) => {
  const { client, repo } = await setup(t, {
    model: 'alpha',
    scripts: {
      alpha: [
        {
          toolCalls: [{ name: 'list_files', arguments: { path: '.' } }],
          usage: { prompt_tokens: 1000, completion_tokens: 50, cost: 0.002 },
        },
        { text: 'Done.', usage: { prompt_tokens: 1200, completion_tokens: 30, cost: 0.003 } },
        { text: 'Again.', usage: { prompt_tokens: 1300, completion_tokens: 20, cost: 0.001 } },
      ],
    },
  });
  const { sessionId } = await client.newSession(repo);
  const first = (await client.prompt(sessionId, 'look around')) as unstable.PromptResponse;
  assert.deepEqual(first.usage, {
    inputTokens: 2200,
    outputTokens: 80,
    totalTokens: 2280,
    _meta: { cairn: { costUsd: 0.005 } },
  });
  const second = (await client.prompt(sessionId, 'again')) as unstable.PromptResponse;
  assert.equal(second.usage?.inputTokens, 1300, 'per turn, not the session');
  const cost = client.updatesOf(sessionId, 'usage_update').at(-1)?.cost;
  assert.equal(cost?.currency, 'USD');
  assert.ok(Math.abs(cost!.amount - 0.006) < 1e-9);

  client.updates.length = 0;
  await client.prompt(sessionId, '/status');
  const status = messages(client, sessionId);
  assert.match(status, /- Mode: ask/);
  assert.match(status, /- Model: alpha/);
  assert.match(status, /- Endpoint: http:\/\/127\.0\.0\.1:\d+\/v1 \(custom endpoint\)/);
  assert.match(status, /- Tokens: 3,500 in, 100 out/);
  assert.match(status, /- Cost: \$0\.0060/);
  assert.match(status, /- Checkpoints|- Terminal/);
});

test('/status says when the cost is not known and how to get an estimate', async (t) => {
  const { client, repo } = await setup(t, {
    model: 'alpha',
    scripts: { alpha: [{ text: 'ok', usage: { prompt_tokens: 10, completion_tokens: 2 } }] },
  });
  const { sessionId } = await client.newSession(repo);
  await client.prompt(sessionId, 'hi');
  client.updates.length = 0;
  await client.prompt(sessionId, '/status');
  assert.match(messages(client, sessionId), /- Cost: not known .*model\.prices/);
});

test('set_config_option refuses a model the endpoint does not list, naming the choices', async (t) => {
  const { client, repo } = await setup(t, {
    model: 'alpha',
    listed: ['alpha', 'qwen3-coder', 'gpt-oss-20b'],
    scripts: { alpha: [{ text: 'ok' }], 'qwen3-coder': [{ text: 'from qwen' }] },
  });
  const { sessionId } = await client.newSession(repo);
  await assert.rejects(
    client.request('session/set_config_option', { sessionId, configId: 'model', value: 'qwen3-codr' }),
    (err: { code: number; message: string; data?: unknown }) => {
      assert.equal(err.code, -32602);
      assert.match(
        err.message,
        /has no model "qwen3-codr" — did you mean "qwen3-coder"\? It offers: qwen3-coder, alpha, gpt-oss-20b\./,
      );
      return true;
    },
  );
  const res = await client.request('session/set_config_option', {
    sessionId,
    configId: 'model',
    value: 'qwen3-coder',
  });
  assert.equal(res.configOptions.find((o) => o.id === 'model')?.currentValue, 'qwen3-coder');
  await client.prompt(sessionId, 'hi');
  assert.match(messages(client, sessionId), /from qwen/);
});

test('a configured model the endpoint does not list is a warning at the first turn, not an error', async (t) => {
  const { client, repo } = await setup(t, {
    model: 'alpha',
    listed: ['beta'],
    scripts: { alpha: [{ text: 'still answered' }] },
  });
  const { sessionId } = await client.newSession(repo);
  assert.equal((await client.prompt(sessionId, 'hi')).stopReason, 'end_turn');
  const text = messages(client, sessionId);
  assert.match(text, /has no model "alpha"\. It offers: beta\./);
  assert.match(text, /still answered/);
});

test('reasoning effort is a select config option; a choice is kept and an unknown one refused', async (t) => {
  const { client, repo } = await setup(t, { model: 'alpha', scripts: { alpha: [{ text: 'ok' }] } });
  const created = await client.newSession(repo);
  const option = created.configOptions?.find((o) => o.id === 'reasoning_effort');
  assert.ok(option && option.type === 'select');
  assert.equal(option.currentValue, 'default');
  assert.deepEqual(
    (option.options as Array<{ value: string }>).map((o) => o.value),
    ['default', 'low', 'medium', 'high'],
  );
  const res = await client.request('session/set_config_option', {
    sessionId: created.sessionId,
    configId: 'reasoning_effort',
    value: 'high',
  });
  assert.equal(res.configOptions.find((o) => o.id === 'reasoning_effort')?.currentValue, 'high');
  await assert.rejects(
    client.request('session/set_config_option', {
      sessionId: created.sessionId,
      configId: 'reasoning_effort',
      value: 'extreme',
    }),
    { code: -32602 },
  );
  await client.prompt(created.sessionId, '/status');
  assert.match(messages(client, created.sessionId), /- Reasoning effort: high/);
});

test('after load, a model the endpoint lists comes back; one it no longer lists gives way, even a configured choice', async (t) => {
  const { client, services, repo } = await setup(t, {
    model: 'alpha',
    listed: ['alpha', 'qwen3-coder'],
    config: { model: { choices: ['retired'] } },
    scripts: { alpha: [{ text: 'a' }], 'qwen3-coder': [{ text: 'q' }], retired: [{ text: 'r' }] },
  });
  const kept = await client.newSession(repo);
  await client.request('session/set_config_option', {
    sessionId: kept.sessionId,
    configId: 'model',
    value: 'qwen3-coder',
  });
  await client.prompt(kept.sessionId, 'hi');
  // Stored as if chosen when the endpoint still offered it.
  const gone = await client.newSession(repo);
  await services.history.updateSession(gone.sessionId, { settings: { model: 'retired' }, model: 'retired' });

  const second = await InProcessAcp.start({ services });
  t.after(() => second.close());
  const current = async (sessionId: string) => {
    const loaded = await second.request('session/load', { sessionId, cwd: repo, mcpServers: [] });
    const option = loaded.configOptions?.find((o) => o.id === 'model');
    return option && 'currentValue' in option ? option.currentValue : undefined;
  };
  assert.equal(
    await current(kept.sessionId),
    'qwen3-coder',
    'listed by the endpoint, though not a configured choice',
  );
  assert.equal(await current(gone.sessionId), 'alpha');
});
