/// <reference types="node" />
// A delegate card lists its subagents as the agent reports them: status and tool-call count,
// the child's own transcript (tool cards and text, live) when expanded, and Stop per child.
import { freshRoot } from './dom-env.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionUpdate } from '@agentclientprotocol/sdk';
import type { DelegateChildNotification } from '../../../shared/delegation-protocol.js';
import { createChatApp, type ChatApp } from '../../../extension/webview/app.js';
import { connectToHost } from '../../../extension/webview/rpc.js';
import { createHostPeer, settle, type HostPeer } from './host-peer.js';
import { SESSION, note, readyResult } from './fixtures.js';

type Mounted = { app: ChatApp; host: HostPeer; root: HTMLElement };

async function mount(overrides: Parameters<typeof readyResult>[0] = {}): Promise<Mounted> {
  const root = freshRoot();
  const host = createHostPeer();
  host.handle('ready', () => readyResult(overrides));
  host.handle('stopChild', () => ({ cancelled: true }));
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

async function flush(m: Mounted): Promise<void> {
  await settle();
  m.app.flush();
}

const delegateCall: SessionUpdate = {
  sessionUpdate: 'tool_call',
  toolCallId: 'd1',
  title: 'Delegate 2 tasks',
  kind: 'think',
  status: 'in_progress',
};

function child(
  id: string,
  label: string,
  status: DelegateChildNotification['status'],
): DelegateChildNotification {
  return {
    sessionId: SESSION,
    childSessionId: id,
    toolCallId: 'd1',
    label,
    goal: label,
    toolset: 'read',
    status,
  };
}

const readCall: SessionUpdate = {
  sessionUpdate: 'tool_call',
  toolCallId: 'call_1',
  title: 'Read src/auth.ts',
  kind: 'read',
  status: 'completed',
};

const rows = (root: HTMLElement) => [...root.querySelectorAll<HTMLElement>('.tool-card .child-card')];

test('children appear under their delegate card, expand to their transcript, and stop alone', async () => {
  const m = await mount();
  m.host.notify('session/update', note(delegateCall));
  m.host.notify('child/status', child('c1', 'Task 1 (Map auth)', 'running'));
  m.host.notify('child/status', child('c2', 'Task 2 (Review)', 'running'));
  m.host.notify('child/update', { sessionId: 'c1', update: readCall });
  m.host.notify('child/update', {
    sessionId: 'c1',
    update: {
      sessionUpdate: 'agent_message_chunk',
      content: { type: 'text', text: 'Auth lives in src/auth.ts.' },
    },
  });
  await flush(m);

  assert.equal(rows(m.root).length, 2);
  const [first, second] = rows(m.root);
  assert.match(first!.textContent ?? '', /Task 1 \(Map auth\).*writing its answer · 1 tool call.*Running/);
  assert.match(second!.textContent ?? '', /starting · 0 tool calls/);
  // The progress text is not shown twice.
  assert.equal(m.root.querySelector('.tool-progress'), null);
  assert.equal(first!.querySelector('.child-transcript'), null, 'collapsed at first');
  assert.equal(first!.querySelector('button.child-open'), null, 'a running child is not opened apart');

  first!.querySelector<HTMLButtonElement>('button.child-toggle')!.click();
  await flush(m);
  const transcript = rows(m.root)[0]!.querySelector('.child-transcript');
  assert.ok(transcript, 'expanded');
  assert.equal(transcript.querySelector('.tool-card .tool-title')?.textContent, 'Read src/auth.ts');
  assert.match(transcript.querySelector('.msg-agent')?.textContent ?? '', /Auth lives in src\/auth\.ts\./);

  // Live: a new update of the child shows in the open transcript.
  m.host.notify('child/update', {
    sessionId: 'c1',
    update: { ...readCall, toolCallId: 'call_2', title: 'Search for login' },
  });
  await flush(m);
  const titles = [...rows(m.root)[0]!.querySelectorAll('.child-transcript .tool-title')].map(
    (e) => e.textContent,
  );
  assert.deepEqual(titles, ['Read src/auth.ts', 'Search for login']);

  rows(m.root)[1]!.querySelector<HTMLButtonElement>('button.child-stop')!.click();
  await flush(m);
  assert.deepEqual(
    m.host.calls.filter((c) => c.method === 'stopChild').map((c) => c.params),
    [{ childSessionId: 'c2' }],
  );
  m.host.notify('child/status', child('c2', 'Task 2 (Review)', 'cancelled'));
  m.host.notify('child/status', child('c1', 'Task 1 (Map auth)', 'done'));
  await flush(m);
  const [done, cancelled] = rows(m.root);
  assert.match(done!.querySelector('.child-status')?.textContent ?? '', /Done/);
  assert.match(cancelled!.querySelector('.child-status')?.textContent ?? '', /Cancelled/);
  assert.doesNotMatch(cancelled!.textContent ?? '', /Done/);
  assert.equal(m.root.querySelector('button.child-stop'), null, 'nothing left to stop');
  // An ended child opens on its own.
  rows(m.root)[0]!.querySelector<HTMLButtonElement>('button.child-open')!.click();
  await flush(m);
  assert.deepEqual(
    m.host.calls.filter((c) => c.method === 'loadSession').map((c) => c.params),
    [{ sessionId: 'c1' }],
  );
});

test('a reloaded panel shows the children the host kept; another session’s children are ignored', async () => {
  const m = await mount({
    transcript: [note(delegateCall)],
    children: [{ info: child('c1', 'Task 1 (Map auth)', 'done'), updates: [readCall] }],
  });
  assert.equal(rows(m.root).length, 1);
  assert.match(rows(m.root)[0]!.textContent ?? '', /1 tool call.*Done/);
  m.host.notify('child/status', { ...child('x', 'Elsewhere', 'running'), sessionId: 'other-session' });
  await flush(m);
  assert.equal(rows(m.root).length, 1);
});
