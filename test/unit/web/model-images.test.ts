import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { OpenAIModelClient } from '../../../agent-server/model/openai-client.js';
import type { ModelEvent } from '../../../agent-server/core/model-client.js';
import type { ChatMessage } from '../../../agent-server/core/messages.js';
import { modelTakesNoImages } from '../../../shared/model-presets.js';
import { startScriptedModel, type ScriptedModel } from '../../fixtures/model-server.js';

const servers: ScriptedModel[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

const PNG = { type: 'image' as const, mimeType: 'image/png', data: 'iVBORw0KGgo=' };
const withImage = (n = 1): ChatMessage[] => [
  { role: 'user', content: [{ type: 'text', text: 'What is wrong here?' }, ...Array(n).fill(PNG)] },
];

function client(server: ScriptedModel, model: string) {
  return new OpenAIModelClient({
    presetLabel: 't',
    baseUrl: server.url,
    model,
    apiKey: 'k',
    maxRetries: 0,
    timeoutMs: 10_000,
    choices: [],
  });
}

async function run(c: OpenAIModelClient, messages: ChatMessage[]) {
  const events: ModelEvent[] = [];
  for await (const e of c.stream({ messages, tools: [], signal: new AbortController().signal }))
    events.push(e);
  return {
    notices: events.flatMap((e) => (e.type === 'notice' ? [e.message] : [])),
    text: events.map((e) => (e.type === 'text' ? e.delta : '')).join(''),
    last: events.at(-1),
  };
}

function sentParts(server: ScriptedModel, i: number): unknown[] {
  const user = server.requests[i]!.messages.find((m) => m.role === 'user')!;
  return user.content as unknown[];
}

test('an endpoint that refuses an image with a 400: a notice, the image becomes a note, the turn goes on', async () => {
  const server = await startScriptedModel([
    {
      fault: 'http_400',
      errorMessage: 'Invalid content type. image_url is only supported by certain models.',
    },
    { text: 'It reads fine.' },
    { text: 'Second answer.' },
    { text: 'Third answer.' },
  ]);
  servers.push(server);
  const c = client(server, 'some-model');
  const first = await run(c, withImage());
  assert.equal(first.text, 'It reads fine.');
  assert.equal(first.notices.length, 1);
  assert.match(
    first.notices[0]!,
    /^some-model does not accept images \(the endpoint answered 400: .*image_url.*\); the image was left out/,
  );
  assert.ok(JSON.stringify(sentParts(server, 0)).includes('image_url'), 'the first try carried the image');
  const retried = JSON.stringify(sentParts(server, 1));
  assert.ok(!retried.includes('image_url'));
  assert.match(
    retried,
    /An image \(image\/png\) was attached here but not sent: some-model does not accept images/,
  );
  assert.match(retried, /What is wrong here\?/);

  // Later requests leave images out without asking again; a new image is said again.
  const second = await run(c, withImage());
  assert.deepEqual([second.text, second.notices.length], ['Second answer.', 0]);
  assert.ok(!JSON.stringify(sentParts(server, 2)).includes('image_url'));
  const third = await run(c, withImage(2));
  assert.deepEqual([third.text, third.notices.length], ['Third answer.', 1]);
  assert.equal(server.requests.length, 4);
});

test('a model known to take text only never gets the image; other 400s are not taken for an image refusal', async () => {
  const server = await startScriptedModel([
    { text: 'Text only.' },
    { fault: 'http_400', errorMessage: 'tools[0] is invalid' },
  ]);
  servers.push(server);
  const known = await run(client(server, 'gpt-oss-20b'), withImage());
  assert.equal(known.text, 'Text only.');
  assert.match(known.notices[0] ?? '', /gpt-oss-20b does not accept images \(a text-only model\)/);
  assert.ok(!JSON.stringify(sentParts(server, 0)).includes('image_url'));
  const other = await run(client(server, 'vision-model'), withImage());
  assert.equal(other.last?.type, 'error');
  assert.equal(other.notices.length, 0);
  assert.equal(server.requests.length, 2, 'not retried without the image');
});

test('text-only model families are known by id; names that say vision never are', () => {
  for (const id of [
    'gpt-oss-120b',
    'deepseek-chat',
    'qwen2.5-coder:7b',
    'qwen3-coder-30b',
    'codestral-latest',
    'llama3.1:8b',
    'meta-llama/llama-3.3-70b-instruct',
  ])
    assert.equal(modelTakesNoImages(id), true, id);
  for (const id of [
    'gpt-4o',
    'claude-sonnet-4',
    'llama3.2-vision',
    'qwen2.5-vl-7b',
    'deepseek-vl2',
    'llama-4-scout',
    'llava:13b',
  ])
    assert.equal(modelTakesNoImages(id), false, id);
});
