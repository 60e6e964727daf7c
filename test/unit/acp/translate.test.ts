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

test('prompt content: text, links, embedded files and images become one user message', () => {
  const msg = promptToUserMessage([
    { type: 'text', text: 'Explain' },
    { type: 'resource_link', uri: 'file:///w/src/a%20b.ts', name: 'a b.ts' },
    { type: 'resource', resource: { uri: 'file:///w/sel.ts', text: 'const x = 1;' } },
    { type: 'image', mimeType: 'image/png', data: 'AAAA' },
  ]);
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
  assert.deepEqual(promptToUserMessage([{ type: 'text', text: 'hi' }]), { role: 'user', content: 'hi' });
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
