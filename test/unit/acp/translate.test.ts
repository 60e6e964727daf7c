import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  noticeAsUpdate,
  promptToUserMessage,
  turnEventToUpdate,
} from '../../../agent-server/acp/translate.js';
import { ACP_PROTOCOL_VERSION, initializeResponse } from '../../../agent-server/acp/capabilities.js';
import { permissionOptions } from '../../../agent-server/acp/client-prompter.js';
import * as acp from '@agentclientprotocol/sdk';
import { ToolOutputConfigSchema } from '../../../shared/config.js';

/** The configured tool-result budget, as a fresh config.json has it. */
const BUDGET = ToolOutputConfigSchema.parse({});

test('turn events map to session/update shapes', () => {
  assert.deepEqual(turnEventToUpdate({ type: 'text', delta: 'hi' }), {
    sessionUpdate: 'agent_message_chunk',
    content: { type: 'text', text: 'hi' },
  });
  assert.deepEqual(turnEventToUpdate({ type: 'thought', delta: 'hm' }), {
    sessionUpdate: 'agent_thought_chunk',
    content: { type: 'text', text: 'hm' },
  });
  assert.deepEqual(
    turnEventToUpdate({
      type: 'tool_call',
      toolCallId: 'c1',
      toolName: 'read_file',
      title: 'Read a.ts',
      kind: 'read',
      locations: [{ path: '/w/a.ts', line: 3 }],
      rawInput: { path: 'a.ts' },
    }),
    {
      sessionUpdate: 'tool_call',
      toolCallId: 'c1',
      title: 'Read a.ts',
      kind: 'read',
      status: 'pending',
      locations: [{ path: '/w/a.ts', line: 3 }],
      rawInput: { path: 'a.ts' },
    },
  );
  assert.deepEqual(
    turnEventToUpdate({
      type: 'tool_call_update',
      toolCallId: 'c1',
      status: 'completed',
      content: [
        { type: 'diff', path: '/w/a.ts', oldText: null, newText: 'x' },
        { type: 'text', text: 'out' },
        { type: 'terminal', terminalId: 't1' },
      ],
    }),
    {
      sessionUpdate: 'tool_call_update',
      toolCallId: 'c1',
      status: 'completed',
      content: [
        { type: 'diff', path: '/w/a.ts', oldText: null, newText: 'x' },
        { type: 'content', content: { type: 'text', text: 'out' } },
        { type: 'terminal', terminalId: 't1' },
      ],
    },
  );
  assert.deepEqual(
    turnEventToUpdate({ type: 'plan', entries: [{ content: 'a', status: 'pending', priority: 'low' }] }),
    {
      sessionUpdate: 'plan',
      entries: [{ content: 'a', status: 'pending', priority: 'low' }],
    },
  );
  assert.equal(turnEventToUpdate({ type: 'usage', usage: { inputTokens: 1, outputTokens: 1 } }), undefined);
  assert.deepEqual(noticeAsUpdate('warning', 'not sandboxed', true), {
    sessionUpdate: 'notice',
    severity: 'warning',
    title: 'not sandboxed',
  });
  const fallback = noticeAsUpdate('warning', 'not sandboxed', false);
  assert.equal(fallback.sessionUpdate, 'agent_message_chunk');
});

test('a final update says how the call ended: _meta always, rawOutput when it did not complete', () => {
  const done = turnEventToUpdate({
    type: 'tool_call_update',
    toolCallId: 't1',
    status: 'completed',
    rawOutput: { exitCode: 0 },
    outcome: 'completed',
  });
  assert.deepEqual(done, {
    sessionUpdate: 'tool_call_update',
    toolCallId: 't1',
    status: 'completed',
    rawOutput: { exitCode: 0 },
    _meta: { cairn: { outcome: 'completed' } },
  });

  const rejected = turnEventToUpdate({
    type: 'tool_call_update',
    toolCallId: 't2',
    status: 'failed',
    content: [{ type: 'text', text: 'Rejected by the user' }],
    rawOutput: { applied: false },
    outcome: 'rejected',
    reason: 'Rejected by the user',
  });
  assert.deepEqual(rejected, {
    sessionUpdate: 'tool_call_update',
    toolCallId: 't2',
    status: 'failed',
    content: [{ type: 'content', content: { type: 'text', text: 'Rejected by the user' } }],
    rawOutput: { applied: false, outcome: 'rejected', reason: 'Rejected by the user' },
    _meta: { cairn: { outcome: 'rejected', reason: 'Rejected by the user' } },
  });

  const cancelled = turnEventToUpdate({
    type: 'tool_call_update',
    toolCallId: 't3',
    status: 'failed',
    outcome: 'cancelled',
  });
  assert.ok(cancelled?.sessionUpdate === 'tool_call_update');
  assert.deepEqual(cancelled.rawOutput, { outcome: 'cancelled' }, 'an outcome even without rawOutput');
});

test('prompt content: text, links, embedded files and images become one user message', () => {
  const msg = promptToUserMessage(
    [
      { type: 'text', text: 'Explain' },
      { type: 'resource_link', uri: 'file:///w/src/a%20b.ts', name: 'a b.ts' },
      { type: 'resource', resource: { uri: 'file:///w/sel.ts', text: 'const x = 1;' } },
      { type: 'image', mimeType: 'image/png', data: 'AAAA' },
    ],
    BUDGET,
  );
  assert.deepEqual(msg, {
    role: 'user',
    content: [
      {
        type: 'text',
        text: 'Explain\n[@a b.ts](/w/src/a b.ts)\n<context file="/w/sel.ts">\nconst x = 1;\n</context>',
      },
      { type: 'image', mimeType: 'image/png', data: 'AAAA' },
    ],
  });
  assert.deepEqual(promptToUserMessage([{ type: 'text', text: 'hi' }], BUDGET), {
    role: 'user',
    content: 'hi',
  });
});

test('initialize: protocol version matches the SDK, and the four permission options are offered', () => {
  assert.equal(ACP_PROTOCOL_VERSION, acp.PROTOCOL_VERSION);
  const res = initializeResponse(
    { protocolVersion: 1 },
    { terminalBackend: 'auto', mcp: { http: false, sse: false }, history: false },
  );
  assert.equal(res.agentCapabilities?.loadSession, false);
  const kinds = permissionOptions({
    toolCallId: 'c',
    toolName: 'terminal',
    category: 'execute',
    kind: 'execute',
    title: 't',
    ruleKey: 'execute:x',
  }).map((o) => o.kind);
  assert.deepEqual(kinds, ['allow_once', 'allow_always', 'reject_once', 'reject_always']);
});

test('an embedded file past the tool-result budget keeps head and tail and says how to read the rest', () => {
  const text = Array.from({ length: 5000 }, (_, i) => `line ${i + 1}`).join('\n');
  const msg = promptToUserMessage(
    [{ type: 'resource', resource: { uri: 'file:///w/big.log', text } }],
    BUDGET,
  );
  const body = msg.content as string;
  assert.ok(body.startsWith('<context file="/w/big.log">\nline 1\nline 2\n'));
  assert.ok(body.endsWith('line 5000\n</context>'));
  assert.match(
    body,
    /\n\[… 3,?000 lines \/ \d+ KB of this file omitted \(lines 801–3800\); read them with read_file \{"path":"\/w\/big\.log","offset":801\} …\]\n/,
  );
});

test('an embedded file is cut to the configured toolOutput budget, not the default one', () => {
  const text = Array.from({ length: 400 }, (_, i) => `line ${i + 1}`).join('\n');
  const resource = { type: 'resource' as const, resource: { uri: 'file:///w/mid.log', text } };
  assert.ok(!(promptToUserMessage([resource], BUDGET).content as string).includes('omitted'));
  const body = promptToUserMessage([resource], { maxBytes: BUDGET.maxBytes, maxLines: 100 })
    .content as string;
  assert.match(body, /lines of this file omitted|omitted \(lines/);
  assert.ok(body.endsWith('line 400\n</context>'));
});
