import { it } from 'node:test';
import assert from 'node:assert/strict';
import * as acp from '@agentclientprotocol/sdk';
import { agent, connectInProcess, RequestError } from '../../../../agent-server/acp/rpc/index.js';

// The SDK's own client against Cairn's agent side, in-process: requests, notifications both
// ways, a request to the client, errors with their codes, and closing from either end.

function toyAgent() {
  const cancelled: string[] = [];
  const app = agent({ name: 'toy' })
    .onRequest(
      'initialize',
      (raw) => raw as acp.InitializeRequest,
      () => ({ protocolVersion: 1 }),
    )
    .onRequest('session/new', ({ params }) => ({ sessionId: `s:${params.cwd}` }))
    .onRequest('session/prompt', async ({ params, client }) => {
      const answer = await client.request('session/request_permission', {
        sessionId: params.sessionId,
        toolCall: { toolCallId: 't1', title: 'Edit' },
        options: [{ optionId: 'allow_once', name: 'Allow', kind: 'allow_once' }],
      });
      const said = params.prompt.map((b) => (b.type === 'text' ? b.text : '')).join('');
      await client.notify('session/update', {
        sessionId: params.sessionId,
        update: {
          sessionUpdate: 'agent_message_chunk',
          content: { type: 'text', text: `${said}:${answer.outcome.outcome}` },
        },
      });
      return { stopReason: 'end_turn' as const };
    })
    .onRequest('session/set_mode', () => {
      throw RequestError.sessionNotFound('gone');
    })
    .onNotification('session/cancel', ({ params }) => {
      cancelled.push(params.sessionId);
    });
  return { app, cancelled };
}

it('an SDK client drives initialize, session/new and a prompt with a permission question', async () => {
  const { app, cancelled } = toyAgent();
  const updates: acp.SessionNotification[] = [];
  const client = acp
    .client({ name: 'test' })
    .onNotification('session/update', ({ params }) => {
      updates.push(params);
    })
    .onRequest('session/request_permission', () => ({
      outcome: { outcome: 'selected' as const, optionId: 'allow_once' },
    }));
  const { stream, agent: served } = connectInProcess(app);
  await client.connectWith(stream, async (ctx) => {
    const init = await ctx.request('initialize', { protocolVersion: 1, clientCapabilities: {} });
    assert.equal(init.protocolVersion, 1);
    const { sessionId } = await ctx.request('session/new', { cwd: '/repo', mcpServers: [] });
    assert.equal(sessionId, 's:/repo');
    const done = await ctx.request('session/prompt', { sessionId, prompt: [{ type: 'text', text: 'hi' }] });
    assert.equal(done.stopReason, 'end_turn');
    assert.deepEqual(
      updates.map((u) => (u.update as { content: { text: string } }).content.text),
      ['hi:selected'],
    );
    await assert.rejects(ctx.request('session/set_mode', { sessionId, modeId: 'ask' }), {
      code: -32002,
      message: 'Resource not found',
    });
    await assert.rejects(ctx.request('session/new', { cwd: 5 } as never), (err: acp.RequestError) => {
      assert.equal(err.code, -32602);
      assert.match(err.message, /^Invalid params: params\.cwd must be a string/);
      return true;
    });
    await ctx.notify('session/cancel', { sessionId });
  });
  // The client finished: the agent's end closed too.
  await served.closed;
  assert.deepEqual(cancelled, ['s:/repo']);
});

it("closing the agent's end ends the SDK client's work", async () => {
  const { app } = toyAgent();
  const { stream, agent: served } = connectInProcess(app);
  const work = acp.client({}).connectWith(stream, async (ctx) => {
    await ctx.request('initialize', { protocolVersion: 1, clientCapabilities: {} });
    served.close();
    await new Promise(() => {});
  });
  await assert.rejects(work);
});
