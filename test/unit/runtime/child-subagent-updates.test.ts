import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import type * as acp from '@agentclientprotocol/sdk';
import * as unstable from '@agentclientprotocol/sdk/unstable';
import { createCairnAgent } from '../../../agent-server/acp/agent.js';
import { HISTORY_ADVERTISED, MCP_ADVERTISED } from '../../../agent-server/acp/advertised.js';
import type { ChatRequestBody, ScriptStep } from '../../../agent-server/demo/scripted-model-server.js';
import type { ModelClient, ModelEvent, ModelRequest } from '../../../agent-server/core/model-client.js';
import type { RuntimeServices } from '../../../agent-server/runtime/services.js';
import { ScriptedModelClient } from '../../fixtures/scripted-model-client.js';
import { tempDir } from '../../helpers/env.js';
import { runtimeFixture } from '../../helpers/runtime-session.js';
import { delegateCall, firstUser, isChild, lastRole } from './child-script.js';

// A client that advertises the SDK's unstable `subagents` capability hears of each child with
// `subagent_update` on the parent (before the child's own updates), can stop one child with
// session/cancel on its id, and hears it end idle with its stop reason. Others hear none of it.

interface Note {
  sessionId: string;
  update: { sessionUpdate: string; sessionId?: string; state?: { state: string; stopReason?: string } };
}

/**
 * The SDK's unstable client (whose schema knows `subagent_update`), talking to Cairn's agent over
 * a pair of in-memory message streams (the two builds of the SDK cannot connect app to app).
 */
async function connect(services: RuntimeServices, clientCapabilities: Record<string, unknown>) {
  const { app, closeAll } = createCairnAgent({
    services: () => services,
    facts: { terminalBackend: 'auto', mcp: MCP_ADVERTISED, history: HISTORY_ADVERTISED },
    log: () => {},
  });
  const toAgent = new TransformStream<acp.AnyMessage, acp.AnyMessage>();
  const toClient = new TransformStream<acp.AnyMessage, acp.AnyMessage>();
  const agentSide = app.connect({ readable: toAgent.readable, writable: toClient.writable });
  const notes: Note[] = [];
  const client = unstable
    .client({ name: 'subagent-client' })
    .onNotification('session/update', ({ params }) => {
      notes.push(params as unknown as Note);
    })
    .onRequest('session/request_permission', async () => ({ outcome: { outcome: 'cancelled' as const } }));
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let ctx!: unstable.ClientContext;
  await new Promise<void>((resolve) => {
    void client.connectWith({ readable: toClient.readable, writable: toAgent.writable }, async (c) => {
      ctx = c;
      resolve();
      await held;
    });
  });
  await ctx.request('initialize', {
    protocolVersion: unstable.PROTOCOL_VERSION,
    clientCapabilities: clientCapabilities as unstable.ClientCapabilities,
  });
  return {
    ctx,
    notes,
    async close() {
      release();
      agentSide.close();
      await closeAll();
    },
  };
}

/** The scripted model; a child whose goal starts with "Hang" waits for its cancel. */
class HangingChildModel implements ModelClient {
  readonly modelId = 'scripted';
  readonly contextWindow = undefined;
  readonly inner: ScriptedModelClient;
  hanging!: () => void;
  readonly hangs = new Promise<void>((r) => (this.hanging = r));
  constructor(script: (body: ChatRequestBody) => ScriptStep) {
    this.inner = new ScriptedModelClient(script);
  }
  async *stream(request: ModelRequest): AsyncIterable<ModelEvent> {
    const first = request.messages.find((m) => m.role === 'user');
    if (
      typeof first?.content === 'string' &&
      first.content.startsWith('Hang') &&
      request.messages.length === 2
    ) {
      this.hanging();
      await new Promise<void>((resolve) => request.signal.addEventListener('abort', () => resolve()));
      return yield { type: 'aborted' };
    }
    yield* this.inner.stream(request);
  }
}

function script(body: ChatRequestBody): ScriptStep {
  if (isChild(body)) return { text: `answer to ${firstUser(body)}` };
  if (lastRole(body) === 'tool') return { text: 'ok' };
  return delegateCall([{ goal: 'Quick look' }, { goal: 'Hang until stopped' }]);
}

test('subagent_update announces each child on the parent, session/cancel on a child id stops it alone, it ends idle', async (t) => {
  const repo = await tempDir('child-subagents');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  const model = new HangingChildModel(script);
  const fx = await runtimeFixture({ model });
  t.after(() => fx.cleanup());
  const conn = await connect(fx.services, { subagents: {} });
  t.after(() => conn.close());
  const { sessionId } = await conn.ctx.request('session/new', { cwd: repo, mcpServers: [] });
  const turn = conn.ctx.request('session/prompt', { sessionId, prompt: [{ type: 'text', text: 'go' }] });
  await model.hangs;
  const announced = () =>
    conn.notes.filter((n) => n.sessionId === sessionId && n.update.sessionUpdate === 'subagent_update');
  // The hanging child is announced (its update is queued before it asked the model).
  for (let i = 0; i < 200 && announced().length < 2; i++) await new Promise((r) => setImmediate(r));
  const hanging = announced().find((n) => (n.update as { title?: string }).title?.includes('Hang'))!;
  assert.ok(hanging, JSON.stringify(announced()));
  const childId = hanging.update.sessionId!;
  assert.deepEqual(hanging.update.state, { state: 'running' });
  assert.deepEqual((hanging.update as { capabilities?: unknown }).capabilities, { cancel: {} });

  await conn.ctx.notify('session/cancel', { sessionId: childId });
  const answer = await turn;
  assert.equal(answer.stopReason, 'end_turn', 'the parent goes on');

  const ends = announced().filter((n) => n.update.state?.state === 'idle');
  assert.deepEqual(ends.map((n) => [n.update.sessionId === childId, n.update.state?.stopReason]).sort(), [
    [false, 'end_turn'],
    [true, 'cancelled'],
  ]);
  // Each child's own updates come under its id, after its announcement.
  const quick = announced().find((n) => n.update.sessionId !== childId)!.update.sessionId!;
  const firstOwn = conn.notes.findIndex((n) => n.sessionId === quick);
  const announcedAt = conn.notes.findIndex(
    (n) => n.update.sessionUpdate === 'subagent_update' && n.update.sessionId === quick,
  );
  assert.ok(firstOwn > announcedAt && announcedAt >= 0);
});

test('a client without the subagents capability gets no subagent_update and no child updates', async (t) => {
  const repo = await tempDir('child-subagents');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  const fx = await runtimeFixture({
    model: new ScriptedModelClient((body) =>
      isChild(body)
        ? { text: 'x' }
        : lastRole(body) === 'tool'
          ? { text: 'ok' }
          : delegateCall([{ goal: 'Look' }]),
    ),
  });
  t.after(() => fx.cleanup());
  const conn = await connect(fx.services, {});
  t.after(() => conn.close());
  const { sessionId } = await conn.ctx.request('session/new', { cwd: repo, mcpServers: [] });
  await conn.ctx.request('session/prompt', { sessionId, prompt: [{ type: 'text', text: 'go' }] });
  assert.ok(conn.notes.every((n) => n.sessionId === sessionId));
  assert.ok(!conn.notes.some((n) => n.update.sessionUpdate === 'subagent_update'));
  // The delegate card still shows the progress as a tool call.
  assert.ok(conn.notes.some((n) => n.update.sessionUpdate === 'tool_call_update'));
});
