import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  estimateTokens,
  shouldCompact,
  splitForCompaction,
  summarise,
  summaryMessage,
  transcript,
} from '../../../agent-server/core/compaction.js';
import type { ChatMessage } from '../../../agent-server/core/messages.js';
import type { ModelClient, ModelEvent, ModelRequest } from '../../../agent-server/core/model-client.js';
import { replayUpdates } from '../../../agent-server/acp/history-replay.js';
import { conversationFromRecords, type StoredRecord } from '../../../agent-server/history/index.js';

const conversation: ChatMessage[] = [
  { role: 'user', content: 'q1' },
  {
    role: 'assistant',
    content: '',
    toolCalls: [{ id: 'c', name: 'read_file', arguments: '{"path":"a.ts"}' }],
  },
  { role: 'tool', toolCallId: 'c', name: 'read_file', content: 'x'.repeat(5000) },
  { role: 'assistant', content: 'a1' },
  { role: 'user', content: 'q2' },
  { role: 'assistant', content: 'a2' },
  { role: 'user', content: 'q3' },
  { role: 'assistant', content: 'a3' },
];

test('compaction starts at 80% of the window, and never without a known window', () => {
  assert.equal(shouldCompact(799, 1000), false);
  assert.equal(shouldCompact(800, 1000), true);
  assert.equal(shouldCompact(10_000_000, undefined), false);
});

test('without reported usage, tokens are estimated from the text', () => {
  assert.equal(estimateTokens('x'.repeat(400), []), 100);
  assert.equal(estimateTokens('', conversation), Math.ceil((2 + 9 + 15 + 5000 + 2 + 4 * 2) / 4));
});

test('the split keeps the latest two turns whole and summarises the rest', () => {
  const { older, kept } = splitForCompaction(conversation);
  assert.equal(older.length, 4);
  assert.deepEqual(
    kept.map((m) => m.content),
    ['q2', 'a2', 'q3', 'a3'],
  );
  assert.equal(splitForCompaction(conversation.slice(4)).older.length, 0, 'two turns: nothing to gain');
});

test('the transcript shortens tool results and keeps the start and the end when over budget', () => {
  const t = transcript(conversation, 100_000);
  assert.match(
    t,
    /^USER: q1\n\nCAIRN called read_file \{"path":"a.ts"\}\n\nRESULT of read_file: x{2000} \[… cut\]/,
  );
  const short = transcript(conversation, 200);
  assert.ok(short.startsWith('USER: q1'));
  assert.ok(short.endsWith('CAIRN: a3'));
  assert.match(short, /middle of the conversation left out/);
});

function scripted(events: ModelEvent[], seen: ModelRequest[] = []): ModelClient {
  return {
    modelId: 'm',
    contextWindow: 10_000,
    async *stream(req) {
      seen.push(req);
      yield* events;
    },
  };
}

test('summarise asks the model without tools and returns its text; a failure is an error', async () => {
  const seen: ModelRequest[] = [];
  const summary = await summarise(
    scripted(
      [
        { type: 'text', delta: '## Goal\n' },
        { type: 'text', delta: '- x' },
        { type: 'done', finishReason: 'stop' },
      ],
      seen,
    ),
    conversation.slice(0, 4),
    new AbortController().signal,
  );
  assert.equal(summary, '## Goal\n- x');
  assert.deepEqual(seen[0]!.tools, []);
  assert.match(String(seen[0]!.messages[0]!.content), /## Decisions/);
  assert.match(String(seen[0]!.messages[1]!.content), /USER: q1/);
  await assert.rejects(
    summarise(
      scripted([{ type: 'error', failure: { kind: 'server', message: 'boom' } }]),
      conversation,
      new AbortController().signal,
    ),
    /could not summarise the conversation: boom/,
  );
  await assert.rejects(
    summarise(scripted([{ type: 'done', finishReason: 'stop' }]), conversation, new AbortController().signal),
    /empty summary/,
  );
});

test('a compacted session resumes from its summary and replays without repeating carried turns', () => {
  const at = 1;
  const child: StoredRecord[] = [
    { type: 'compaction', summary: '## Goal\n- x', carried: 2, ord: 0, at },
    { type: 'message', message: { role: 'user', content: 'q3' }, ord: 1, at },
    { type: 'message', message: { role: 'assistant', content: 'a3' }, ord: 2, at },
    { type: 'message', message: { role: 'user', content: 'q4' }, ord: 3, at },
  ];
  assert.deepEqual(conversationFromRecords(child), [
    summaryMessage('## Goal\n- x'),
    child[1]!.type === 'message' && child[1]!.message,
    { role: 'assistant', content: 'a3' },
    { role: 'user', content: 'q4' },
  ]);
  assert.deepEqual(replayUpdates(child, { compaction: true }), [
    {
      sessionUpdate: 'compaction_update',
      compactionId: '0',
      status: 'completed',
      summary: [{ type: 'text', text: '## Goal\n- x' }],
    },
    { sessionUpdate: 'user_message_chunk', content: { type: 'text', text: 'q4' } },
  ]);
  const plain = replayUpdates(child);
  assert.equal(plain[0]!.sessionUpdate, 'agent_message_chunk');
  assert.equal(plain.length, 2);
});
