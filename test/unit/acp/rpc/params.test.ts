import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ACP_PARAMS } from '../../../../agent-server/acp/rpc/acp-params.js';
import { agent, type AgentApp } from '../../../../agent-server/acp/rpc/index.js';
import { registerCheckpointRequests } from '../../../../agent-server/acp/checkpoint-requests.js';
import { registerConversationRequests } from '../../../../agent-server/acp/conversation-requests.js';
import {
  DelegatedChildren,
  registerDelegationRequests,
} from '../../../../agent-server/acp/delegated-children.js';
import { request, wire } from '../../../helpers/acp-wire.js';

// Params of every method Cairn serves are checked without the SDK's zod schemas: a wrong type
// is -32602 "Invalid params: <where> must be <what>", never a crash, never the value echoed.

function invalid(method: string, params: unknown): { message: string; data: unknown } {
  try {
    ACP_PARAMS[method]!(params);
  } catch (err) {
    const e = err as { code: number; message: string; data: unknown };
    assert.equal(e.code, -32602, `${method}: ${e.message}`);
    return e;
  }
  assert.fail(`${method} accepted ${JSON.stringify(params)}`);
}

const text = { type: 'text', text: 'hi' };

describe('ACP methods', () => {
  const cases: [string, unknown, string][] = [
    [
      'initialize',
      { protocolVersion: '1' },
      'params.protocolVersion must be a whole number, 0 or more, got a string',
    ],
    [
      'initialize',
      { protocolVersion: 1, clientCapabilities: [] },
      'params.clientCapabilities must be an object or null',
    ],
    ['authenticate', { methodId: 3 }, 'params.methodId must be a string, got a number'],
    ['logout', 'x', 'params must be an object, got a string'],
    ['session/new', { cwd: 42, mcpServers: [] }, 'params.cwd must be a string, got a number'],
    ['session/new', { cwd: '/r' }, 'params.mcpServers must be an array, got nothing'],
    [
      'session/new',
      { cwd: '/r', mcpServers: [], additionalDirectories: ['/a', 1] },
      'params.additionalDirectories[1] must be a string',
    ],
    [
      'session/new',
      { cwd: '/r', mcpServers: [{ name: 'm', args: [], env: [] }] },
      'params.mcpServers[0].command must be a string',
    ],
    [
      'session/new',
      { cwd: '/r', mcpServers: [{ type: 'http', name: 'm', url: 'u', headers: [{ name: 'a' }] }] },
      'params.mcpServers[0].headers[0].value must be a string',
    ],
    ['session/load', { cwd: '/r', mcpServers: [] }, 'params.sessionId must be a string, got nothing'],
    ['session/resume', { sessionId: 's', cwd: null }, 'params.cwd must be a string, got null'],
    ['session/list', { cursor: 5 }, 'params.cursor must be a string or null, got a number'],
    ['session/close', {}, 'params.sessionId must be a string'],
    ['session/delete', { sessionId: [] }, 'params.sessionId must be a string, got an array'],
    ['session/cancel', null, 'params must be an object, got null'],
    ['session/set_mode', { sessionId: 's' }, 'params.modeId must be a string'],
    [
      'session/set_config_option',
      { sessionId: 's', configId: 'mode', value: 3 },
      'params.value must be a string',
    ],
    [
      'session/set_config_option',
      { sessionId: 's', configId: 'x', type: 'boolean', value: 'y' },
      'params.value must be a boolean',
    ],
    ['session/prompt', { sessionId: 's', prompt: 'hi' }, 'params.prompt must be an array, got a string'],
    [
      'session/prompt',
      { sessionId: 's', prompt: [text, { type: 'video' }] },
      'params.prompt[1].type must be one of text, image, audio, resource_link, resource',
    ],
    [
      'session/prompt',
      { sessionId: 's', prompt: [{ type: 'text' }] },
      'params.prompt[0].text must be a string, got nothing',
    ],
    [
      'session/prompt',
      { sessionId: 's', prompt: [{ type: 'image', data: 'AAAA' }] },
      'params.prompt[0].mimeType must be a string',
    ],
    [
      'session/prompt',
      { sessionId: 's', prompt: [{ type: 'audio', mimeType: 'audio/wav' }] },
      'params.prompt[0].data must be a string',
    ],
    [
      'session/prompt',
      { sessionId: 's', prompt: [{ type: 'resource_link', name: 'a' }] },
      'params.prompt[0].uri must be a string',
    ],
    [
      'session/prompt',
      { sessionId: 's', prompt: [{ type: 'resource', resource: { uri: 'file:///a' } }] },
      'params.prompt[0].resource must be a resource with a string "text" or "blob"',
    ],
    [
      'session/prompt',
      { sessionId: 's', prompt: [{ type: 'resource' }] },
      'params.prompt[0].resource must be an object, got nothing',
    ],
  ];
  for (const [method, params, says] of cases) {
    it(`${method}: ${says}`, () => {
      const err = invalid(method, params);
      assert.ok(err.message.startsWith(`Invalid params: ${says}`), err.message);
    });
  }

  it('the field is named in data, and a huge value is never echoed', () => {
    const huge = 'x'.repeat(1_000_000);
    const err = invalid('session/prompt', {
      sessionId: 's',
      prompt: [{ type: 'image', data: 5, mimeType: huge }],
    });
    assert.deepEqual(err.data, { field: 'params.prompt[0].data' });
    const big = invalid('session/new', { cwd: { huge }, mcpServers: [] });
    assert.ok(big.message.length < 200, big.message);
  });

  it('passes the rest through; null lists become empty; a malformed _meta or optional field is dropped', () => {
    const parsed = ACP_PARAMS['session/new']!({
      cwd: '/r',
      mcpServers: null,
      additionalDirectories: null,
      extra: 1,
      _meta: 'nope',
    }) as Record<string, unknown>;
    assert.deepEqual(parsed, { cwd: '/r', mcpServers: [], additionalDirectories: [], extra: 1 });
    const prompt = ACP_PARAMS['session/prompt']!({
      sessionId: 's',
      prompt: [{ type: 'resource_link', name: 'a', uri: 'file:///a', mimeType: 7, title: 't' }],
      _meta: { cairn: { x: 1 } },
    }) as { prompt: Record<string, unknown>[]; _meta: unknown };
    assert.deepEqual(prompt.prompt[0], { type: 'resource_link', name: 'a', uri: 'file:///a', title: 't' });
    assert.deepEqual(prompt._meta, { cairn: { x: 1 } });
  });

  it('a request with no params is checked as {} (as the SDK does)', async () => {
    const w = wire(agent().onRequest('session/list', () => ({ sessions: [] })));
    await w.send(request(1, 'session/list'));
    assert.deepEqual((await w.next()).result, { sessions: [] });
  });
});

describe("Cairn's own methods (`session/fork`, `session/set_title`, `_cairn/...`)", () => {
  const app: AgentApp = agent();
  // The checks run before any handler: the dependencies are never reached.
  const unused = {} as never;
  registerConversationRequests(app, unused);
  registerCheckpointRequests(app, unused);
  registerDelegationRequests(
    app,
    new DelegatedChildren({ enabled: () => false, enqueue: () => {}, supports: () => unused }),
  );
  const cases: [string, unknown, string][] = [
    [
      'session/fork',
      { sessionId: '', cwd: '/r' },
      'params.sessionId must be a non-empty string, got a string',
    ],
    [
      'session/fork',
      { sessionId: 's', cwd: '/r', _meta: { cairn: { beforeUserMessage: -1 } } },
      'params._meta.cairn.beforeUserMessage must be a whole number, 0 or more',
    ],
    ['session/fork', { sessionId: 's', cwd: '/r', mcpServers: {} }, 'params.mcpServers must be an array'],
    ['session/set_title', { sessionId: 's', title: 5 }, 'params.title must be a string, got a number'],
    ['_cairn/queue/remove', { sessionId: 's', index: 1.5 }, 'params.index must be a whole number'],
    ['_cairn/checkpoints/list', {}, 'params.sessionId must be a non-empty string, got nothing'],
    ['_cairn/checkpoints/preview', { sessionId: 's' }, 'params.checkpointId must be a non-empty string'],
    [
      '_cairn/checkpoints/restore',
      { sessionId: 's', checkpointId: 'c', conversation: 'yes' },
      'params.conversation must be a boolean',
    ],
    ['_cairn/delegate/cancel', { sessionId: 's' }, 'params.childSessionId must be a non-empty string'],
    ['_cairn/delegate/cancel', undefined, 'params must be an object, got nothing'],
  ];
  for (const [method, params, says] of cases) {
    it(`${method}: ${says}`, async () => {
      const w = wire(app);
      await w.send(request(1, method, params));
      const error = (await w.next()).error as { code: number; message: string };
      assert.equal(error.code, -32602);
      assert.ok(error.message.startsWith(`Invalid params: ${says}`), error.message);
    });
  }
});
