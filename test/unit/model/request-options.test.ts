import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelEvent, ReasoningEffort } from '../../../agent-server/core/model-client.js';
import { OpenAIModelClient } from '../../../agent-server/model/openai-client.js';
import type { ResolvedModel } from '../../../agent-server/model/resolve.js';
import { startScriptedModel, type Script, type ScriptedModel } from '../../fixtures/model-server.js';

const servers: ScriptedModel[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

async function clientFor(
  script: Script,
  extra: Partial<ResolvedModel> = {},
  effort?: () => ReasoningEffort | undefined,
) {
  const server = await startScriptedModel(script);
  servers.push(server);
  const client = new OpenAIModelClient(
    {
      presetLabel: 't',
      baseUrl: server.url,
      model: 'm',
      apiKey: 'k',
      maxRetries: 0,
      timeoutMs: 5000,
      choices: [],
      ...extra,
    },
    { reasoningEffort: effort },
  );
  const run = async () => {
    const events: ModelEvent[] = [];
    for await (const e of client.stream({
      messages: [{ role: 'user', content: 'hi' }],
      tools: [],
      signal: new AbortController().signal,
    }))
      events.push(e);
    return events;
  };
  return { server, run };
}

const notices = (events: ModelEvent[]) => events.flatMap((e) => (e.type === 'notice' ? [e.message] : []));
const usageOf = (events: ModelEvent[]) => events.find((e) => e.type === 'usage');

test('the chosen reasoning effort is sent as reasoning_effort; unset, nothing is sent', async () => {
  let effort: ReasoningEffort | undefined = 'high';
  const { server, run } = await clientFor(
    () => ({ text: 'ok' }),
    {},
    () => effort,
  );
  await run();
  effort = undefined;
  await run();
  assert.equal(server.requests[0]!.reasoning_effort, 'high');
  assert.ok(!('reasoning_effort' in server.requests[1]!));
});

test('an endpoint that refuses reasoning_effort with 400: the request goes again without it, said once', async () => {
  const { server, run } = await clientFor(
    (body) =>
      'reasoning_effort' in body
        ? {
            fault: 'http_400',
            errorMessage: "Unsupported parameter: 'reasoning_effort' is not supported with this model.",
          }
        : { text: 'answered' },
    {},
    () => 'low',
  );
  const first = await run();
  assert.ok(first.some((e) => e.type === 'text'));
  assert.equal(notices(first).length, 1);
  assert.match(
    notices(first)[0]!,
    /m at http:\/\/127\.0\.0\.1:\d+\/v1 does not accept reasoning_effort \(400: Unsupported parameter/,
  );
  const second = await run();
  assert.deepEqual(notices(second), [], 'said once');
  assert.deepEqual(
    server.requests.map((r) => 'reasoning_effort' in r),
    [true, false, false],
  );
});

test('a 400 that is not about the effort stays an error, and the effort is kept', async () => {
  const { server, run } = await clientFor(
    () => ({ fault: 'http_400', errorMessage: 'messages: invalid' }),
    {},
    () => 'low',
  );
  const events = await run();
  assert.equal(events.at(-1)?.type, 'error');
  assert.deepEqual(notices(events), []);
  await run();
  assert.equal(server.requests[2]!.reasoning_effort, 'low', 'not dropped: the retry without it failed too');
});

test('a 400 without an effort is not retried', async () => {
  const { server, run } = await clientFor(() => ({ fault: 'http_400' }));
  const events = await run();
  assert.equal(events.at(-1)?.type, 'error');
  assert.equal(server.requests.length, 1);
});

test("usage carries the provider's cost (OpenRouter's usage.cost) before any price table", async () => {
  const { run } = await clientFor(
    () => ({ text: 'ok', usage: { prompt_tokens: 1000, completion_tokens: 200, cost: 0.0042 } }),
    {
      prices: { m: { inputPerMTok: 100, outputPerMTok: 100 } },
    },
  );
  const usage = usageOf(await run());
  assert.deepEqual(usage?.type === 'usage' && usage.usage, {
    inputTokens: 1000,
    outputTokens: 200,
    cachedInputTokens: undefined,
    costUsd: 0.0042,
  });
});

test('without a reported cost, the price table gives one; without either, none', async () => {
  const priced = await clientFor(
    () => ({ text: 'ok', usage: { prompt_tokens: 2_000_000, completion_tokens: 500_000 } }),
    {
      prices: { m: { inputPerMTok: 2, outputPerMTok: 8 } },
    },
  );
  const usage = usageOf(await priced.run());
  assert.equal(usage?.type === 'usage' && usage.usage.costUsd, 8);
  const unpriced = await clientFor(
    () => ({ text: 'ok', usage: { prompt_tokens: 10, completion_tokens: 5 } }),
    {
      prices: { other: { inputPerMTok: 2, outputPerMTok: 8 } },
    },
  );
  const bare = usageOf(await unpriced.run());
  assert.equal(bare?.type === 'usage' && bare.usage.costUsd, undefined);
});
