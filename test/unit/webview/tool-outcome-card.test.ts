/// <reference types="node" />
// Tool cards say how each call ended: Done, Failed: reason, Rejected, Cancelled (each in its own
// style), and "Waiting for approval" while the user decides; never "Done" for what did not happen.
import { freshRoot } from './dom-env.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionUpdate } from '@agentclientprotocol/sdk';
import { createChatApp, type ChatApp } from '../../../extension/webview/app.js';
import { connectToHost } from '../../../extension/webview/rpc.js';
import { applySessionUpdate, initialChatState } from '../../../extension/webview/state/chat-state.js';
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

const start: SessionUpdate = {
  sessionUpdate: 'tool_call',
  toolCallId: 't1',
  title: 'Write notes.md',
  kind: 'edit',
  status: 'pending',
};

function ended(outcome: string, text: string, reason?: string): SessionUpdate {
  return {
    sessionUpdate: 'tool_call_update',
    toolCallId: 't1',
    status: 'failed',
    content: [{ type: 'content', content: { type: 'text', text } }],
    rawOutput: { outcome, ...(reason ? { reason } : {}) },
    _meta: { cairn: { outcome, ...(reason ? { reason } : {}) } },
  };
}

function card(root: HTMLElement): { classes: string[]; status: string; statusClass: string } {
  const el = root.querySelector('.tool-card')!;
  const status = el.querySelector('.tool-status')!;
  return {
    classes: [...el.classList],
    status: status.textContent ?? '',
    statusClass: [...status.classList].find((c) => c.startsWith('status-')) ?? '',
  };
}

test('a pending call says "Waiting for approval", then "Running" once it runs', async () => {
  const m = await mount();
  await send(m, start);
  assert.equal(card(m.root).status, '○ Waiting for approval');
  assert.ok(card(m.root).classes.includes('status-pending'));
  await send(m, { sessionUpdate: 'tool_call_update', toolCallId: 't1', status: 'in_progress' });
  assert.equal(card(m.root).status, '◐ Running');
});

test('rejected, failed and cancelled calls get their own label and style, never Done', async () => {
  const cases = [
    {
      update: ended('rejected', 'Rejected by the user', 'Rejected by the user'),
      label: '⊘ Rejected',
      cls: 'status-rejected',
    },
    {
      update: ended('failed', 'Failed: EACCES: permission denied', 'EACCES: permission denied'),
      label: '✕ Failed: EACCES: permission denied',
      cls: 'status-failed',
    },
    { update: ended('cancelled', 'Cancelled'), label: '⊝ Cancelled', cls: 'status-cancelled' },
  ];
  const classes = new Set<string>();
  for (const c of cases) {
    const m = await mount();
    await send(m, start);
    await send(m, c.update);
    const shown = card(m.root);
    assert.equal(shown.status, c.label);
    assert.equal(shown.statusClass, c.cls);
    assert.ok(shown.classes.includes(c.cls));
    assert.doesNotMatch(shown.status, /Done/);
    classes.add(shown.statusClass);
  }
  assert.equal(classes.size, 3, 'three distinct styles');
});

test('a failed status without Cairn’s outcome (another agent) is plain Failed; completed is Done', async () => {
  const m = await mount();
  await send(m, start);
  await send(m, { sessionUpdate: 'tool_call_update', toolCallId: 't1', status: 'failed' });
  assert.equal(card(m.root).status, '✕ Failed');
  const done = await mount();
  await send(done, start);
  await send(done, { sessionUpdate: 'tool_call_update', toolCallId: 't1', status: 'completed' });
  assert.equal(card(done.root).status, '✓ Done');
});

test('the reducer keeps the outcome from _meta, and from rawOutput when _meta is absent', () => {
  let state = applySessionUpdate(initialChatState, start);
  state = applySessionUpdate(state, {
    sessionUpdate: 'tool_call_update',
    toolCallId: 't1',
    status: 'failed',
    rawOutput: { outcome: 'cancelled' },
  });
  const item = state.items.find((i) => i.kind === 'tool');
  assert.ok(item?.kind === 'tool');
  assert.equal(item.outcome, 'cancelled');
  state = applySessionUpdate(state, ended('rejected', 'Rejected by the user', 'Rejected by the user'));
  const again = state.items.find((i) => i.kind === 'tool');
  assert.ok(again?.kind === 'tool');
  assert.equal(again.outcome, 'rejected');
  assert.equal(again.reason, 'Rejected by the user');
  // A later update without a status (new title) keeps what the call ended as.
  state = applySessionUpdate(state, { sessionUpdate: 'tool_call_update', toolCallId: 't1', title: 'x' });
  const kept = state.items.find((i) => i.kind === 'tool');
  assert.ok(kept?.kind === 'tool' && kept.outcome === 'rejected');
});
