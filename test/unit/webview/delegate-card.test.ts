/// <reference types="node" />
// A delegation card (kind think) shows its subagents' progress while it runs, without expanding.
import { freshRoot } from './dom-env.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionUpdate } from '@agentclientprotocol/sdk';
import { createChatApp, type ChatApp } from '../../../extension/webview/app.js';
import { connectToHost } from '../../../extension/webview/rpc.js';
import { createHostPeer, settle, type HostPeer } from './host-peer.js';
import { note, readyResult } from './fixtures.js';

async function mount(): Promise<{ app: ChatApp; host: HostPeer; root: HTMLElement }> {
  const root = freshRoot();
  const host = createHostPeer();
  host.handle('ready', () => readyResult());
  let app!: ChatApp;
  const connection = connectToHost(host.channel, (n) => app.receive(n));
  app = createChatApp(
    root,
    connection,
    { load: () => undefined, save: () => {} },
    {
      schedule: (render) => queueMicrotask(render),
    },
  );
  await app.start();
  await settle();
  app.flush();
  return { app, host, root };
}

async function send(m: { app: ChatApp; host: HostPeer }, update: SessionUpdate): Promise<void> {
  m.host.notify('session/update', note(update));
  await settle();
  m.app.flush();
}

const progress = (text: string): SessionUpdate => ({
  sessionUpdate: 'tool_call_update',
  toolCallId: 'd1',
  content: [{ type: 'content', content: { type: 'text', text } }],
});

test("a running delegate card shows each task's current step, and only while it runs", async () => {
  const m = await mount();
  await send(m, {
    sessionUpdate: 'tool_call',
    toolCallId: 'd1',
    title: 'Delegate 2 tasks',
    kind: 'think',
    status: 'pending',
  });
  await send(m, { sessionUpdate: 'tool_call_update', toolCallId: 'd1', status: 'in_progress' });
  await send(
    m,
    progress(
      '- Task 1 (Map auth): Read src/auth.ts · 1 tool call\n- Task 2 (Review): starting · 0 tool calls',
    ),
  );
  const shown = m.root.querySelector('.tool-card .tool-progress');
  assert.ok(shown, 'progress shown without expanding');
  assert.match(shown.textContent ?? '', /Task 1 \(Map auth\): Read src\/auth\.ts/);
  assert.match(shown.textContent ?? '', /Task 2 \(Review\): starting/);

  await send(m, { sessionUpdate: 'tool_call_update', toolCallId: 'd1', status: 'completed' });
  assert.equal(m.root.querySelector('.tool-card .tool-progress'), null);
});

test('other running cards do not preview their text', async () => {
  const m = await mount();
  await send(m, {
    sessionUpdate: 'tool_call',
    toolCallId: 'd1',
    title: 'Read a.ts',
    kind: 'read',
    status: 'in_progress',
  });
  await send(m, progress('partial'));
  assert.equal(m.root.querySelector('.tool-card .tool-progress'), null);
});
