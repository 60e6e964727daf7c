/// <reference types="node" />
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  type ChatAction,
  type ChatState,
  chatReducer,
  initialChatState,
  isTurnRunning,
} from '../../../extension/webview/state/chat-state.js';
import { SESSION, agentText, hostState, note, readyResult, userText } from './fixtures.js';

function run(actions: ChatAction[], state: ChatState = initialChatState): ChatState {
  return actions.reduce(chatReducer, state);
}

const ready = (transcript = readyResult().transcript): ChatAction => ({
  type: 'ready',
  result: readyResult({ transcript }),
});

const update = (params: ReturnType<typeof note>): ChatAction => ({ type: 'session/update', params });

test('agent chunks stream into one message; a new messageId starts another', () => {
  const state = run([
    ready(),
    update(agentText('Hel', 'a')),
    update(agentText('lo', 'a')),
    update(agentText('Next', 'b')),
  ]);
  assert.deepEqual(
    state.items.map((i) => (i.kind === 'agent' ? i.text : i.kind)),
    ['Hello', 'Next'],
  );
});

test('thought, tool call and agent text interleave as separate items in order', () => {
  const state = run([
    ready(),
    update(note({ sessionUpdate: 'agent_thought_chunk', content: { type: 'text', text: 'hmm' } })),
    update(agentText('Looking.')),
    update(
      note({
        sessionUpdate: 'tool_call',
        toolCallId: 't1',
        title: 'Read a.ts',
        kind: 'read',
        status: 'pending',
      }),
    ),
    update(agentText('Done.')),
  ]);
  assert.deepEqual(
    state.items.map((i) => i.kind),
    ['thought', 'agent', 'tool', 'agent'],
  );
});

test('tool_call_update merges: given fields replace, missing fields keep their value', () => {
  const state = run([
    ready(),
    update(
      note({
        sessionUpdate: 'tool_call',
        toolCallId: 't1',
        title: 'Edit a.ts',
        kind: 'edit',
        status: 'pending',
        locations: [{ path: '/ws/a.ts', line: 3 }],
      }),
    ),
    update(
      note({
        sessionUpdate: 'tool_call_update',
        toolCallId: 't1',
        status: 'completed',
        content: [{ type: 'diff', path: '/ws/a.ts', oldText: 'a\n', newText: 'b\n' }],
      }),
    ),
  ]);
  assert.equal(state.items.length, 1);
  const item = state.items[0]!;
  assert.equal(item.kind, 'tool');
  if (item.kind !== 'tool') return;
  assert.equal(item.title, 'Edit a.ts');
  assert.equal(item.toolKind, 'edit');
  assert.equal(item.status, 'completed');
  assert.deepEqual(item.locations, [{ path: '/ws/a.ts', line: 3 }]);
  assert.equal(item.content[0]?.type, 'diff');
});

test('an update for an unknown tool call still produces a card', () => {
  const state = run([
    ready(),
    update(note({ sessionUpdate: 'tool_call_update', toolCallId: 'x', status: 'failed' })),
  ]);
  const item = state.items[0];
  assert.equal(item?.kind, 'tool');
  assert.equal(item?.kind === 'tool' && item.status, 'failed');
});

test('only the changed item gets a new identity (views redraw by reference)', () => {
  const before = run([ready(), update(userText('hi')), update(agentText('a'))]);
  const after = chatReducer(before, update(agentText('b')));
  assert.equal(after.items[0], before.items[0]);
  assert.notEqual(after.items[1], before.items[1]);
});

test('plan, commands, mode, config options, title and usage update the panel state', () => {
  const modes = {
    currentModeId: 'ask',
    availableModes: [
      { id: 'ask', name: 'Ask' },
      { id: 'code', name: 'Code' },
    ],
  };
  const state = run([
    { type: 'ready', result: readyResult({ state: hostState({ modes }) }) },
    update(
      note({
        sessionUpdate: 'plan',
        entries: [{ content: 'Write tests', priority: 'high', status: 'in_progress' }],
      }),
    ),
    update(
      note({
        sessionUpdate: 'available_commands_update',
        availableCommands: [{ name: 'init', description: 'x' }],
      }),
    ),
    update(note({ sessionUpdate: 'current_mode_update', currentModeId: 'code' })),
    update(
      note({
        sessionUpdate: 'config_option_update',
        configOptions: [
          {
            id: 'model',
            name: 'Model',
            type: 'select',
            currentValue: 'm1',
            options: [{ value: 'm1', name: 'M1' }],
          },
        ],
      }),
    ),
    update(note({ sessionUpdate: 'session_info_update', title: 'Fix the parser' })),
    update(note({ sessionUpdate: 'usage_update', used: 1200, size: 8000 })),
  ]);
  assert.equal(state.plan[0]?.content, 'Write tests');
  assert.equal(state.host?.commands[0]?.name, 'init');
  assert.equal(state.host?.modes?.currentModeId, 'code');
  assert.equal(state.host?.configOptions[0]?.id, 'model');
  assert.equal(state.title, 'Fix the parser');
  assert.equal(state.usage?.used, 1200);
});

test('updates for another session are ignored', () => {
  const state = run([
    ready(),
    update(agentText('elsewhere')),
    update(note({ sessionUpdate: 'plan', entries: [] }, 'other')),
  ]);
  const ignored = chatReducer(
    state,
    update(note({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'x' } }, 'other')),
  );
  assert.equal(ignored, state);
});

test('ready replays the transcript; chat/reset clears it and switches session', () => {
  let state = run([ready([userText('q', 'u1'), agentText('a', 'a1')])]);
  assert.equal(state.items.length, 2);
  state = chatReducer(state, { type: 'chat/reset', params: { sessionId: 'sess-2', reason: 'load' } });
  assert.equal(state.items.length, 0);
  assert.equal(state.host?.sessionId, 'sess-2');
  state = chatReducer(state, update(agentText('old session', 'z')));
  assert.equal(state.items.length, 0, 'the old session no longer streams into the panel');
  state = chatReducer(
    state,
    update(note({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'new' } }, 'sess-2')),
  );
  assert.equal(state.items.length, 1);
});

test('replayed user prompts keep attached resources as context', () => {
  const state = run([
    ready([
      userText('explain', 'u1'),
      note({
        sessionUpdate: 'user_message_chunk',
        messageId: 'u1',
        content: { type: 'resource', resource: { uri: 'file:///ws/a.ts', text: 'code' } },
      }),
    ]),
  ]);
  const item = state.items[0];
  assert.equal(item?.kind, 'user');
  if (item?.kind !== 'user') return;
  assert.equal(item.text, 'explain');
  assert.deepEqual(item.context, [{ kind: 'file', path: '/ws/a.ts', relPath: 'a.ts' }]);
});

test('a replayed selection resource (file URI with #L range) comes back as a selection chip', () => {
  const state = run([
    ready([
      note({
        sessionUpdate: 'user_message_chunk',
        content: { type: 'resource', resource: { uri: 'file:///ws/src/my%20file.ts#L3-L9', text: 'let x;' } },
      }),
      note({
        sessionUpdate: 'user_message_chunk',
        content: { type: 'resource_link', uri: 'file:///elsewhere/b.ts', name: 'b.ts' },
      }),
    ]),
  ]);
  const item = state.items[0];
  assert.deepEqual(item?.kind === 'user' && item.context, [
    {
      kind: 'selection',
      path: '/ws/src/my file.ts',
      relPath: 'src/my file.ts',
      startLine: 3,
      endLine: 9,
      text: 'let x;',
    },
    { kind: 'file', path: '/elsewhere/b.ts', relPath: '/elsewhere/b.ts' },
  ]);
});

test('echoed prompts append user items with their context', () => {
  const state = run([
    ready(),
    {
      type: 'chat/userPrompt',
      params: {
        sessionId: SESSION,
        text: 'look',
        context: [{ kind: 'file', path: '/ws/a.ts', relPath: 'a.ts' }],
      },
    },
  ]);
  const item = state.items[0];
  const first = item?.kind === 'user' ? item.context[0] : undefined;
  assert.equal(first?.kind === 'file' && first.relPath, 'a.ts');
});

test('permission and review cards are added once and removed when resolved', () => {
  const card = {
    requestId: 'r1',
    sessionId: SESSION,
    toolCall: { toolCallId: 't1', title: 'Run ls' },
    options: [{ optionId: 'o1', name: 'Allow once', kind: 'allow_once' as const }],
  };
  let state = run([
    ready(),
    { type: 'permission/requested', params: card },
    { type: 'permission/requested', params: card },
  ]);
  assert.equal(state.permissions.length, 1);
  state = chatReducer(state, { type: 'permission/resolved', params: { requestId: 'r1', optionId: 'o1' } });
  assert.equal(state.permissions.length, 0);
  const review = {
    reviewId: 'v1',
    sessionId: SESSION,
    path: '/ws/a.ts',
    relPath: 'a.ts',
    toolCallId: 't1',
    source: 'write' as const,
    isNewFile: false,
    hadUnsavedChanges: false,
    linesAdded: 2,
    linesRemoved: 1,
  };
  state = chatReducer(state, { type: 'review/opened', params: review });
  assert.equal(state.reviews.length, 1);
  state = chatReducer(state, { type: 'review/resolved', params: { reviewId: 'v1', outcome: 'accepted' } });
  assert.equal(state.reviews.length, 0);
});

test('terminal output is stored and the cards showing that terminal get redrawn', () => {
  const state = run([
    ready(),
    update(
      note({
        sessionUpdate: 'tool_call',
        toolCallId: 't1',
        title: 'npm test',
        kind: 'execute',
        content: [{ type: 'terminal', terminalId: 'term-1' }],
      }),
    ),
    update(agentText('meanwhile')),
  ]);
  const next = chatReducer(state, {
    type: 'terminal/output',
    params: { terminalId: 'term-1', output: 'ok', truncated: false, exitStatus: null },
  });
  assert.equal(next.terminals['term-1']?.output, 'ok');
  assert.notEqual(next.items[0], state.items[0]);
  assert.equal(next.items[1], state.items[1]);
});

test('turn endings other than a normal end leave a notice; errors say what happened', () => {
  const state = run([
    ready(),
    { type: 'turn/ended', params: { sessionId: SESSION, stopReason: 'end_turn', error: null } },
    { type: 'turn/ended', params: { sessionId: SESSION, stopReason: 'cancelled', error: null } },
    {
      type: 'turn/ended',
      params: { sessionId: SESSION, stopReason: null, error: 'Model returned HTTP 500' },
    },
  ]);
  assert.deepEqual(
    state.items.map((i) => (i.kind === 'notice' ? [i.level, i.text] : i.kind)),
    [
      ['info', 'Stopped.'],
      ['error', 'Model returned HTTP 500'],
    ],
  );
});

test('the turn counts as running while working or awaiting approval', () => {
  const working = run([
    { type: 'ready', result: readyResult({ state: hostState({ activity: 'working' }) }) },
  ]);
  assert.equal(isTurnRunning(working), true);
  const waiting = chatReducer(working, {
    type: 'state',
    params: hostState({ activity: 'awaiting_approval' }),
  });
  assert.equal(isTurnRunning(waiting), true);
  const idle = chatReducer(working, { type: 'state', params: hostState({ activity: 'idle' }) });
  assert.equal(isTurnRunning(idle), false);
});

test('notices keep only the latest three and can be dismissed', () => {
  let state = run([1, 2, 3, 4].map((n) => ({ type: 'localError', message: `e${n}` }) as ChatAction));
  assert.deepEqual(
    state.notices.map((n) => n.message),
    ['e2', 'e3', 'e4'],
  );
  state = chatReducer(state, { type: 'dismissNotice', id: state.notices[0]!.id });
  assert.equal(state.notices.length, 2);
});
