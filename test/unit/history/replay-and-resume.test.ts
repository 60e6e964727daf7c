import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replayUpdates } from '../../../agent-server/acp/history-replay.js';
import { Conversation } from '../../../agent-server/core/conversation.js';
import {
  JournalHistoryStore,
  SessionRecorder,
  conversationFromRecords,
  titleFromFirstExchange,
  type HistoryRecord,
  type StoredRecord,
} from '../../../agent-server/history/index.js';

const at = 1_700_000_000_000;
const rec = (r: HistoryRecord, ord: number): StoredRecord => ({ ...r, ord, at });

const finished: StoredRecord[] = [
  rec({ type: 'message', message: { role: 'user', content: 'fix greet.txt' } }, 0),
  rec(
    {
      type: 'message',
      message: {
        role: 'assistant',
        content: 'Reading it.',
        reasoning: 'look first',
        toolCalls: [{ id: 'c1', name: 'read_file', arguments: '{"path":"greet.txt"}' }],
      },
    },
    1,
  ),
  rec(
    {
      type: 'tool_call',
      toolCall: {
        toolCallId: 'c1',
        title: 'Read greet.txt',
        kind: 'read',
        status: 'completed',
        content: [{ type: 'diff', path: '/r/greet.txt', oldText: 'helo', newText: 'hello' }],
        locations: [{ path: '/r/greet.txt', line: 1 }],
        rawInput: { path: 'greet.txt' },
      },
    },
    2,
  ),
  rec(
    { type: 'message', message: { role: 'tool', toolCallId: 'c1', name: 'read_file', content: '1\thelo' } },
    3,
  ),
  rec({ type: 'message', message: { role: 'assistant', content: 'Fixed.' } }, 4),
];

test('replay: user and agent chunks, thoughts, and each tool call once in its final state', () => {
  assert.deepEqual(replayUpdates(finished), [
    { sessionUpdate: 'user_message_chunk', content: { type: 'text', text: 'fix greet.txt' } },
    { sessionUpdate: 'agent_thought_chunk', content: { type: 'text', text: 'look first' } },
    { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'Reading it.' } },
    {
      sessionUpdate: 'tool_call',
      toolCallId: 'c1',
      title: 'Read greet.txt',
      kind: 'read',
      status: 'completed',
      content: [{ type: 'diff', path: '/r/greet.txt', oldText: 'helo', newText: 'hello' }],
      locations: [{ path: '/r/greet.txt', line: 1 }],
      rawInput: { path: 'greet.txt' },
    },
    { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'Fixed.' } },
  ]);
});

const cutShort: StoredRecord[] = [
  rec({ type: 'message', message: { role: 'user', content: 'run the tests' } }, 0),
  rec(
    {
      type: 'message',
      message: {
        role: 'assistant',
        content: '',
        toolCalls: [{ id: 'c9', name: 'run_command', arguments: '{"command":"npm test"}' }],
      },
    },
    1,
  ),
];

test('replay: a call whose end was never stored shows as failed, not as running forever', () => {
  const updates = replayUpdates(cutShort);
  assert.equal(updates.length, 2);
  assert.deepEqual(updates[1], {
    sessionUpdate: 'tool_call',
    toolCallId: 'c9',
    title: 'run_command',
    kind: 'other',
    status: 'failed',
    content: [
      {
        type: 'content',
        content: { type: 'text', text: 'Did not finish: the session ended during this call.' },
      },
    ],
    rawInput: { command: 'npm test' },
  });
});

test('resume: the conversation is valid for the model even after a turn cut short', () => {
  assert.deepEqual(
    conversationFromRecords(finished).map((m) => m.role),
    ['user', 'assistant', 'tool', 'assistant'],
  );
  const cut = conversationFromRecords(cutShort);
  assert.deepEqual(
    cut.map((m) => m.role),
    ['user', 'assistant', 'tool'],
  );
  assert.deepEqual(cut[2], {
    role: 'tool',
    toolCallId: 'c9',
    name: 'run_command',
    content: 'Not run: the session ended before this call finished.',
    isError: true,
  });
});

test('titles come from the first request, cut at a word', () => {
  assert.equal(titleFromFirstExchange('fix the typo in greet.txt'), 'fix the typo in greet.txt');
  assert.equal(
    titleFromFirstExchange(
      'Please refactor the history store so that snapshots are written less often and faster',
    ),
    'Please refactor the history store so that snapshots are…',
  );
  assert.equal(
    titleFromFirstExchange('<context file="/a.ts">\ncode\n</context>\nexplain [@a.ts](/r/a.ts)'),
    'explain a.ts',
  );
  assert.equal(titleFromFirstExchange('   ', 'Here is the summary'), 'Here is the summary');
  assert.equal(titleFromFirstExchange(''), undefined);
});

test('the recorder stores messages and final tool states; flush means durable', async (t) => {
  const history = await JournalHistoryStore.inMemory();
  t.after(() => history.close());
  await history.createSession({ id: 's', cwd: '/r' });
  const recorder = new SessionRecorder(history, 's');
  const conversation = new Conversation('system prompt');
  recorder.attach(conversation);
  conversation.append({ role: 'user', content: 'go' });
  recorder.observe({
    type: 'tool_call',
    toolCallId: 'a',
    toolName: 'todo',
    title: 'Plan',
    kind: 'think',
    locations: [],
    rawInput: {},
  });
  recorder.observe({ type: 'tool_call_update', toolCallId: 'a', status: 'in_progress' });
  recorder.observe({
    type: 'tool_call_update',
    toolCallId: 'a',
    status: 'completed',
    content: [{ type: 'text', text: 'ok' }],
  });
  recorder.observe({
    type: 'tool_call',
    toolCallId: 'b',
    toolName: 'run',
    title: 'Run',
    kind: 'execute',
    locations: [],
    rawInput: {},
  });
  recorder.endTurn();
  await recorder.flush();
  const records = await history.readSession('s');
  assert.deepEqual(
    records.map((r) =>
      r.type === 'tool_call'
        ? `${r.toolCall.toolCallId}:${r.toolCall.status}`
        : r.type === 'message'
          ? r.message.role
          : r.type,
    ),
    ['user', 'a:completed', 'b:failed'],
  );
  recorder.stop();
  conversation.append({ role: 'user', content: 'not recorded' });
  await recorder.flush();
  assert.equal((await history.readSession('s')).length, 3);
});
