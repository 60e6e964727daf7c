import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { Conversation } from '../../../agent-server/core/conversation.js';
import type { TurnEvent, TurnOutcome } from '../../../agent-server/core/events.js';
import { runTurn } from '../../../agent-server/core/turn.js';
import { OpenAIModelClient } from '../../../agent-server/model/openai-client.js';
import { SessionToolRunner } from '../../../agent-server/runtime/session-tool-runner.js';
import { testResultLimits } from '../../helpers/tool-result-limits.js';
import { defineTool, ToolError, type AnyTool } from '../../../agent-server/tools/types.js';
import { DiskWorkspace } from '../../../agent-server/workspace/disk-workspace.js';
import { PathPolicy } from '../../../agent-server/workspace/paths.js';
import { startScriptedModel, type Script, type ScriptedModel } from '../../fixtures/model-server.js';
import { tempDir } from '../../helpers/env.js';
import { toolContext } from '../../helpers/tool-context.js';

// The loop against the scripted model over real HTTP, with the real OpenAI client.

const models: ScriptedModel[] = [];
after(async () => {
  for (const m of models) await m.close();
});

const echoTool = defineTool({
  name: 'echo',
  description: 'Echo text back',
  inputSchema: z.object({ text: z.string() }).strict(),
  kind: 'other',
  readOnly: true,
  describe: (input) => ({ title: `Echo ${input.text}` }),
  async run(input, ctx) {
    ctx.progress([{ type: 'text', text: 'working' }]);
    if (input.text === 'boom') throw new ToolError('it blew up');
    if (input.text === 'slow')
      await new Promise((r, j) => ctx.signal.addEventListener('abort', () => j(new Error('aborted'))));
    return { forModel: `echo: ${input.text}`, content: [{ type: 'text', text: input.text }] };
  },
});

async function turn(
  script: Script,
  opts: { maxModelRequests?: number; signal?: AbortSignal; tools?: AnyTool[] } = {},
) {
  const model = await startScriptedModel(script);
  models.push(model);
  const client = new OpenAIModelClient({
    presetLabel: 'test',
    baseUrl: model.url,
    model: 'scripted',
    apiKey: 'k',
    maxRetries: 1,
    timeoutMs: 10_000,
    choices: [],
  });
  const root = await tempDir('turn');
  const workspace = new DiskWorkspace(new PathPolicy(root));
  const conversation = new Conversation('You are a test.');
  conversation.append({ role: 'user', content: 'go' });
  const runner = new SessionToolRunner({
    tools: () => opts.tools ?? [echoTool],
    mode: () => 'ask',
    workspace,
    context: (id, signal, progress) => ({ ...toolContext(root, { signal }), toolCallId: id, progress }),
    output: testResultLimits(),
  });
  const events: TurnEvent[] = [];
  const gen = runTurn({
    conversation,
    model: client,
    tools: runner,
    signal: opts.signal ?? new AbortController().signal,
    maxModelRequests: opts.maxModelRequests ?? 10,
  });
  let step = await gen.next();
  while (!step.done) {
    events.push(step.value);
    step = await gen.next();
  }
  return { events, outcome: step.value as TurnOutcome, conversation, model };
}

test('text, reasoning and a tool call round trip; the result is fed back', async () => {
  const { events, outcome, conversation, model } = await turn([
    { reasoning: 'hmm', text: 'Calling.', toolCalls: [{ name: 'echo', arguments: { text: 'hi' } }] },
    { text: 'Done.' },
  ]);
  assert.equal(outcome.stopReason, 'end_turn');
  const types = events.map((e) => e.type);
  assert.deepEqual(
    types.filter((t) => t !== 'usage'),
    ['thought', 'text', 'tool_call', 'tool_call_update', 'tool_call_update', 'tool_call_update', 'text'],
  );
  const updates = events.filter((e) => e.type === 'tool_call_update');
  assert.deepEqual(
    updates.map((u) => u.status),
    ['in_progress', undefined, 'completed'],
  );
  assert.deepEqual(
    updates[1]!.content,
    [{ type: 'text', text: 'working' }],
    'live progress reaches the client',
  );
  assert.deepEqual(
    conversation.messages.map((m) => m.role),
    ['user', 'assistant', 'tool', 'assistant'],
  );
  const sent = model.requests[1]!.messages;
  assert.deepEqual(sent.at(-1), { role: 'tool', tool_call_id: 'call_1', content: 'echo: hi' });
  assert.equal(sent[0]!.role, 'system');
  assert.equal((model.requests[0]!.tools ?? [])[0]!.function.name, 'echo');
});

test('tool failures and invalid calls become results the model can act on', async () => {
  const { events, outcome, model } = await turn([
    {
      toolCalls: [
        { name: 'echo', arguments: { text: 'boom' } },
        { name: 'nope', arguments: {} },
        { name: 'echo', arguments: { wrong: 1 } },
      ],
    },
    { text: 'I see.' },
  ]);
  assert.equal(outcome.stopReason, 'end_turn');
  const failed = events.filter((e) => e.type === 'tool_call_update' && e.status === 'failed');
  assert.equal(failed.length, 3);
  const toolMessages = model.requests[1]!.messages.filter((m) => m.role === 'tool').map((m) =>
    String(m.content),
  );
  assert.match(toolMessages[0]!, /it blew up/);
  assert.match(toolMessages[1]!, /no tool named "nope".*echo/);
  assert.match(toolMessages[2]!, /Invalid arguments for echo/);
});

test('malformed tool JSON is reported to the model; three bad rounds in a row end the turn with an error', async () => {
  const recovered = await turn([
    { fault: 'bad_tool_json', toolCalls: [{ name: 'echo', arguments: { text: 'x' } }] },
    { text: 'ok' },
  ]);
  assert.equal(recovered.outcome.stopReason, 'end_turn');
  assert.equal(recovered.outcome.error, undefined);
  assert.match(String(recovered.model.requests[1]!.messages.at(-1)!.content), /not valid JSON/);

  const bad = { fault: 'bad_tool_json' as const, toolCalls: [{ name: 'echo', arguments: { text: 'x' } }] };
  const stuck = await turn([bad, bad, bad, { text: 'never' }]);
  assert.equal(stuck.outcome.error?.kind, 'bad_response');
  assert.equal(stuck.model.requests.length, 3);
});

test('max model requests stops a turn that keeps calling tools', async () => {
  const loop = { toolCalls: [{ name: 'echo', arguments: { text: 'again' } }] };
  const { outcome, model } = await turn([loop, loop, loop, loop], { maxModelRequests: 3 });
  assert.equal(outcome.stopReason, 'max_turn_requests');
  assert.equal(model.requests.length, 3);
});

test('cancelling during a tool call answers every pending call and stops', async () => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 300);
  const { outcome, conversation } = await turn(
    [
      {
        toolCalls: [
          { name: 'echo', arguments: { text: 'slow' } },
          { name: 'echo', arguments: { text: 'never run' } },
        ],
      },
    ],
    { signal: controller.signal },
  );
  assert.equal(outcome.stopReason, 'cancelled');
  const tools = conversation.messages.filter((m) => m.role === 'tool');
  assert.equal(tools.length, 2, 'both tool calls have an answer, so the next request is valid');
  assert.match(tools[1]!.role === 'tool' ? tools[1]!.content : '', /cancelled/);
});

test('finish reasons map to ACP stop reasons; a stream cut mid-way keeps what was said', async () => {
  const cut = await turn([{ text: 'a long answer that will be cut', fault: 'cut_stream' }]);
  assert.equal(cut.outcome.stopReason, 'end_turn');
  assert.equal(cut.outcome.error?.kind, 'network');
  const said = cut.conversation.messages.at(-1);
  assert.equal(said?.role, 'assistant');
  assert.match(said?.role === 'assistant' ? said.content : '', /^a long answe/);
});
