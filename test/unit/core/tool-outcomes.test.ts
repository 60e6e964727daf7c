import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Conversation } from '../../../agent-server/core/conversation.js';
import type { TurnEvent } from '../../../agent-server/core/events.js';
import type { ModelClient, ModelEvent } from '../../../agent-server/core/model-client.js';
import { runTurn } from '../../../agent-server/core/turn.js';
import { PermissionGate, type PermissionAnswer } from '../../../agent-server/permissions/gate.js';
import type { SessionMode } from '../../../agent-server/permissions/policy.js';
import { MemoryPermissionRules } from '../../../agent-server/runtime/permission-rules.js';
import { SessionToolRunner } from '../../../agent-server/runtime/session-tool-runner.js';
import { testResultLimits } from '../../helpers/tool-result-limits.js';
import { writeFileTool } from '../../../agent-server/tools/write-file.js';
import { defineTool, ToolError, type AnyTool } from '../../../agent-server/tools/types.js';
import { DiskWorkspace } from '../../../agent-server/workspace/disk-workspace.js';
import { PathPolicy } from '../../../agent-server/workspace/paths.js';
import { z } from 'zod';
import { tempDir } from '../../helpers/env.js';

// How a tool call ends, as the loop reports it: completed, failed, rejected or cancelled,
// pending until it runs, and never a diff for a change that did not happen.

/** A model that calls one tool, then answers. */
function oneCall(name: string, args: unknown): ModelClient {
  let n = 0;
  return {
    modelId: 'fake',
    async *stream(): AsyncIterable<ModelEvent> {
      if (n++ === 0) {
        yield { type: 'tool_call', call: { id: 'call_1', name, arguments: JSON.stringify(args) } };
        yield { type: 'done', finishReason: 'tool_calls' };
      } else {
        yield { type: 'text', delta: 'ok' };
        yield { type: 'done', finishReason: 'stop' };
      }
    },
  };
}

async function run(opts: {
  tool: AnyTool;
  args: unknown;
  answer?: (events: readonly TurnEvent[]) => PermissionAnswer | Promise<PermissionAnswer>;
  /** The gate's mode (the tool list is always ask mode's). */
  gateMode?: SessionMode;
  signal?: AbortSignal;
  root?: string;
  onEvent?: (event: TurnEvent) => void;
}) {
  const root = opts.root ?? (await tempDir('outcome'));
  const workspace = new DiskWorkspace(new PathPolicy(root));
  const events: TurnEvent[] = [];
  const gate = new PermissionGate(
    () => opts.gateMode ?? 'ask',
    { ask: async () => (opts.answer ? opts.answer(events) : 'allow_once') },
    new MemoryPermissionRules(),
  );
  const runner = new SessionToolRunner({
    tools: () => [opts.tool],
    mode: () => 'ask',
    workspace,
    context: (toolCallId, signal, progress) => ({
      sessionId: 's',
      toolCallId,
      workspace,
      permissions: gate,
      signal,
      progress,
      terminal: undefined as never,
    }),
    output: testResultLimits(),
  });
  const conversation = new Conversation('test');
  conversation.append({ role: 'user', content: 'go' });
  const gen = runTurn({
    conversation,
    model: oneCall(opts.tool.name, opts.args),
    tools: runner,
    signal: opts.signal ?? new AbortController().signal,
    maxModelRequests: 5,
  });
  for (let step = await gen.next(); !step.done; step = await gen.next()) {
    events.push(step.value);
    opts.onEvent?.(step.value);
  }
  const updates = events.filter(
    (e): e is Extract<TurnEvent, { type: 'tool_call_update' }> => e.type === 'tool_call_update',
  );
  const toolMessage = conversation.messages.find((m) => m.role === 'tool');
  return { root, events, updates, final: updates.at(-1)!, toolMessage };
}

function hasDiff(update: Extract<TurnEvent, { type: 'tool_call_update' }>): boolean {
  return (update.content ?? []).some((c) => c.type === 'diff');
}

test('a rejected edit ends as rejected: failed on the wire, said in the content, no diff, never running', async () => {
  const { root, updates, final, toolMessage } = await run({
    tool: writeFileTool,
    args: { path: 'a.txt', content: 'new\n' },
    answer: () => 'reject_once',
  });
  await assert.rejects(fs.access(path.join(root, 'a.txt')));
  assert.equal(final.status, 'failed');
  assert.equal(final.outcome, 'rejected');
  assert.deepEqual(final.content, [{ type: 'text', text: 'Rejected by the user' }]);
  assert.ok(!updates.some((u) => u.status === 'in_progress'), 'it never ran');
  assert.ok(!updates.some(hasDiff), 'no update shows the change as made');
  assert.ok(toolMessage?.role === 'tool' && toolMessage.isError, 'the model is told it did not happen');
});

test('an approved edit is pending while the user decides, in_progress only after the answer', async () => {
  let seenWhileAsking: string[] = [];
  const { events, final } = await run({
    tool: writeFileTool,
    args: { path: 'a.txt', content: 'new\n' },
    answer: (sofar) => {
      seenWhileAsking = sofar.map((e) => (e.type === 'tool_call_update' ? `update:${e.status}` : e.type));
      return 'allow_once';
    },
  });
  assert.deepEqual(seenWhileAsking, ['tool_call'], 'nothing said it was running while the user decided');
  const statuses = events.flatMap((e) => (e.type === 'tool_call_update' && e.status ? [e.status] : []));
  assert.deepEqual(statuses, ['in_progress', 'completed']);
  assert.equal(final.outcome, 'completed');
  assert.ok(hasDiff(final), 'a completed edit shows its diff');
});

test('a write that fails on disk ends as failed with the error, and no diff', async () => {
  const root = await tempDir('outcome');
  await fs.writeFile(path.join(root, 'a.txt'), 'old\n');
  const { final } = await run({
    root,
    tool: writeFileTool,
    args: { path: 'a.txt', content: 'new\n' },
    // A folder where the file was: the write fails, for root too.
    answer: async (): Promise<PermissionAnswer> => {
      await fs.rm(path.join(root, 'a.txt'));
      await fs.mkdir(path.join(root, 'a.txt'));
      return 'allow_once';
    },
  });
  assert.equal(final.status, 'failed');
  assert.equal(final.outcome, 'failed');
  assert.match(final.reason ?? '', /EISDIR|directory|folder/i);
  const text = final.content?.[0];
  assert.ok(text?.type === 'text' && text.text.startsWith('Failed: '), JSON.stringify(final.content));
  assert.ok(!hasDiff(final));
  assert.ok((await fs.stat(path.join(root, 'a.txt'))).isDirectory());
});

test('a mode that refuses changes rejects the call; a cancelled approval cancels it', async () => {
  const denied = await run({ tool: writeFileTool, args: { path: 'a.txt', content: 'x' }, gateMode: 'plan' });
  assert.equal(denied.final.status, 'failed');
  assert.equal(denied.final.outcome, 'rejected');
  assert.match(denied.final.reason ?? '', /plan mode/);

  const cancelled = await run({
    tool: writeFileTool,
    args: { path: 'a.txt', content: 'x' },
    answer: () => 'cancelled',
  });
  assert.equal(cancelled.final.status, 'failed');
  assert.equal(cancelled.final.outcome, 'cancelled');
  assert.ok(!hasDiff(cancelled.final));
});

const flaky = defineTool({
  name: 'flaky',
  description: 'test tool',
  inputSchema: z.object({ how: z.enum(['throw', 'hang', 'diff']) }).strict(),
  kind: 'other',
  readOnly: true,
  describe: () => ({ title: 'Flaky' }),
  async run(input, ctx) {
    if (input.how === 'throw') throw new ToolError('it blew up');
    if (input.how === 'diff') {
      return {
        forModel: 'not applied',
        content: [
          { type: 'diff', path: '/x', oldText: 'a', newText: 'b' },
          { type: 'text', text: 'details' },
        ],
        outcome: 'failed',
        reason: 'disk full',
      };
    }
    ctx.progress([{ type: 'text', text: 'started' }]);
    await new Promise((_, reject) =>
      ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))),
    );
    return { forModel: 'never' };
  },
});

test('a thrown error is failed with its message; a call stopped by cancel is cancelled', async () => {
  const threw = await run({ tool: flaky, args: { how: 'throw' } });
  assert.equal(threw.final.outcome, 'failed');
  assert.deepEqual(threw.final.content, [{ type: 'text', text: 'Failed: it blew up' }]);
  assert.deepEqual(
    threw.updates.map((u) => u.status),
    ['in_progress', 'failed'],
    'a tool that never asks runs at once',
  );

  const controller = new AbortController();
  // Cancel once the call reports output: it is running.
  const stopped = run({
    tool: flaky,
    args: { how: 'hang' },
    signal: controller.signal,
    onEvent: (e) => {
      if (e.type === 'tool_call_update' && e.content && !e.status) controller.abort();
    },
  });
  const { final } = await stopped;
  assert.equal(final.status, 'failed');
  assert.equal(final.outcome, 'cancelled');
  assert.deepEqual(final.content, [{ type: 'text', text: 'Cancelled' }]);
});

test('a tool result that did not complete keeps its other content but loses its diff', async () => {
  const { final } = await run({ tool: flaky, args: { how: 'diff' } });
  assert.deepEqual(final.content, [
    { type: 'text', text: 'Failed: disk full' },
    { type: 'text', text: 'details' },
  ]);
});
