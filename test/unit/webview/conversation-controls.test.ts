/// <reference types="node" />
// The panel's conversation controls against a JSON-RPC peer standing in for the host: Queue and
// Steer while a turn runs, the queue list (remove, Stop keeping or discarding it), fork from a
// user message, and "Restore checkpoint…" (preview, choice, restore).
import { freshRoot } from './dom-env.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChatApp, createChatApp } from '../../../extension/webview/app.js';
import { connectToHost } from '../../../extension/webview/rpc.js';
import { type HostPeer, createHostPeer, settle } from './host-peer.js';
import { SESSION, agentText, hostState, readyResult, userText } from './fixtures.js';
import type { CheckpointInfo, ReadyResult } from '../../../shared/webview-protocol.js';
import { checkpointsByMessage, userMessageIndexes } from '../../../extension/webview/state/user-messages.js';
import type { TranscriptItem } from '../../../extension/webview/state/chat-state.js';
import { SessionList } from '../../../extension/webview/views/session-list.js';

type Mounted = { app: ChatApp; host: HostPeer; root: HTMLElement };

async function mount(ready: ReadyResult = readyResult()): Promise<Mounted> {
  const root = freshRoot();
  const host = createHostPeer();
  host.handle('ready', () => ready);
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

async function notify(m: Mounted, ...args: Parameters<HostPeer['notify']>): Promise<void> {
  m.host.notify(...args);
  await settle();
  m.app.flush();
}

async function flush(m: Mounted): Promise<void> {
  await settle();
  m.app.flush();
}

function button(root: ParentNode, text: string | RegExp): HTMLButtonElement {
  const found = findButton(root, text);
  assert.ok(found, `a button labelled ${text}`);
  return found;
}

function findButton(root: ParentNode, text: string | RegExp): HTMLButtonElement | undefined {
  return [...root.querySelectorAll('button')].find((b) =>
    typeof text === 'string' ? b.textContent?.trim() === text : text.test(b.textContent ?? ''),
  );
}

function calls(host: HostPeer, method: string): unknown[] {
  return host.calls.filter((c) => c.method === method).map((c) => c.params);
}

function type(input: HTMLTextAreaElement, text: string): void {
  input.value = text;
  input.setSelectionRange(text.length, text.length);
  input.dispatchEvent(new window.Event('input', { bubbles: true }));
}

function key(target: Element, name: string, extra: KeyboardEventInit = {}): void {
  target.dispatchEvent(
    new window.KeyboardEvent('keydown', { key: name, bubbles: true, cancelable: true, ...extra }),
  );
}

const checkpoint: CheckpointInfo = {
  id: 'cp-7',
  number: 1,
  createdAt: '2026-12-01T10:00:00.000Z',
  prompt: 'edit the greeting',
  beforeUserMessage: 1,
  files: [{ path: 'greeting.txt', status: 'modified', added: 1, removed: 1 }],
};

test('while a turn runs, Send queues and Steer steers; the queue is listed and each message can be removed', async () => {
  const m = await mount(readyResult({ state: hostState({ activity: 'working', canSteer: true }) }));
  m.host.handle('prompt', () => new Promise(() => {}));
  const input = m.root.querySelector<HTMLTextAreaElement>('.composer-input')!;
  type(input, 'then run the tests');
  key(input, 'Enter');
  await settle();
  assert.deepEqual(calls(m.host, 'prompt').at(-1), {
    text: 'then run the tests',
    context: [],
    mode: 'queue',
  });
  type(input, 'use vitest');
  button(m.root, 'Steer').click();
  await settle();
  assert.deepEqual(calls(m.host, 'prompt').at(-1), { text: 'use vitest', context: [], mode: 'steer' });
  type(input, 'and lint');
  key(input, 'Enter', { ctrlKey: true });
  await settle();
  assert.deepEqual(calls(m.host, 'prompt').at(-1), { text: 'and lint', context: [], mode: 'steer' });

  const queue = m.root.querySelector<HTMLElement>('.queue')!;
  assert.equal(queue.hidden, true, 'nothing queued yet');
  await notify(
    m,
    'state',
    hostState({
      activity: 'working',
      canSteer: true,
      queue: [
        { id: 'q1', text: 'then run the tests', context: [] },
        { id: 'q2', text: 'and commit', context: [] },
      ],
    }),
  );
  assert.equal(queue.hidden, false);
  assert.deepEqual(
    [...queue.querySelectorAll('.queue-text')].map((e) => e.textContent),
    ['then run the tests', 'and commit'],
  );
  queue.querySelector<HTMLButtonElement>('[aria-label^="Remove queued message: and commit"]')!.click();
  await settle();
  assert.deepEqual(calls(m.host, 'removeQueued'), [{ id: 'q2' }]);

  // Idle again: Send sends plainly, without a mode, and Steer is gone.
  await notify(m, 'state', hostState({ activity: 'idle', canSteer: true }));
  assert.equal(queue.hidden, true);
  assert.equal(button(m.root, 'Steer').hidden, true);
  type(input, 'hello');
  key(input, 'Enter');
  await settle();
  assert.deepEqual(calls(m.host, 'prompt').at(-1), { text: 'hello', context: [] });
});

test('Stop with queued messages asks whether to keep or discard them; without a queue it just stops', async () => {
  const m = await mount(readyResult({ state: hostState({ activity: 'working' }) }));
  button(m.root, 'Stop').click();
  await settle();
  assert.deepEqual(calls(m.host, 'cancel'), [{ queued: 'discard' }]);

  await notify(
    m,
    'state',
    hostState({ activity: 'working', queue: [{ id: 'q1', text: 'next step', context: [] }] }),
  );
  const input = m.root.querySelector<HTMLTextAreaElement>('.composer-input')!;
  key(input, 'Escape');
  await flush(m);
  assert.equal(calls(m.host, 'cancel').length, 1, 'nothing stopped before the choice');
  assert.match(m.root.querySelector('.queue-stop')?.textContent ?? '', /queued message/);
  button(m.root, 'Don’t stop').click();
  assert.equal(m.root.querySelector('.queue-stop'), null);
  button(m.root, 'Stop').click();
  button(m.root, 'Keep queued').click();
  await settle();
  assert.deepEqual(calls(m.host, 'cancel').at(-1), { queued: 'keep' });
  button(m.root, 'Stop').click();
  button(m.root, 'Discard').click();
  await settle();
  assert.deepEqual(calls(m.host, 'cancel').at(-1), { queued: 'discard' });
});

test('a steer shows in the transcript as a steer', async () => {
  const m = await mount();
  await notify(m, 'chat/userPrompt', { sessionId: SESSION, text: 'use vitest', context: [], steered: true });
  const msg = m.root.querySelector('.msg-user')!;
  assert.ok(msg.classList.contains('msg-steered'));
  assert.equal(msg.getAttribute('aria-label'), 'You steered');
});

test('fork from a user message asks the host with its index, and the fork puts the message in the composer', async () => {
  const m = await mount(
    readyResult({
      state: hostState({ canFork: true }),
      transcript: [
        userText('first question', 'u1'),
        agentText('answer', 'a1'),
        userText('/title Renamed', 'u2'),
        userText('second question', 'u3'),
      ],
    }),
  );
  const users = [...m.root.querySelectorAll('.msg-user')];
  assert.equal(users.length, 3);
  assert.equal(
    findButton(users[1]!, 'Fork from here'),
    undefined,
    'a slash command is not a prompt to fork at',
  );
  button(users[2]!, 'Fork from here').click();
  await settle();
  assert.deepEqual(calls(m.host, 'forkSession'), [{ userMessage: 1, text: 'second question' }]);

  await notify(m, 'chat/reset', { sessionId: 'fork-1', reason: 'fork' });
  await notify(m, 'composer/setDraft', { text: 'second question' });
  assert.equal(m.root.querySelector<HTMLTextAreaElement>('.composer-input')!.value, 'second question');

  // No fork while a turn runs.
  await notify(m, 'session/update', userText('again', 'u9'));
  await notify(m, 'state', hostState({ sessionId: SESSION, canFork: true, activity: 'working' }));
  assert.equal(findButton(m.root, 'Fork from here'), undefined);
});

test('Restore checkpoint…: preview listed (diff per file), the choice, then restore; the result is a notice in the chat', async () => {
  const m = await mount(
    readyResult({
      transcript: [userText('say hello', 'u1'), agentText('hi', 'a1'), userText('edit the greeting', 'u2')],
    }),
  );
  assert.equal(findButton(m.root, /Restore checkpoint/), undefined, 'no checkpoint yet');
  await notify(m, 'checkpoints', { sessionId: SESSION, checkpoints: [checkpoint] });
  const users = [...m.root.querySelectorAll('.msg-user')];
  assert.equal(findButton(users[0]!, /Restore checkpoint/), undefined);
  m.host.handle('previewCheckpoint', () => ({
    files: [
      { path: 'greeting.txt', action: 'restore', binary: false, handEdited: false },
      { path: 'made.txt', action: 'remove', binary: false, handEdited: true },
    ],
  }));
  let finishRestore!: () => void;
  m.host.handle(
    'restoreCheckpoint',
    () =>
      new Promise((resolve) => {
        finishRestore = () =>
          resolve({ restored: ['greeting.txt'], kept: ['made.txt'], forkSessionId: 'f1' });
      }),
  );
  button(users[1]!, 'Restore checkpoint…').click();
  await flush(m);
  assert.deepEqual(calls(m.host, 'previewCheckpoint'), [{ checkpointId: 'cp-7' }]);
  const panel = m.root.querySelector<HTMLElement>('.restore-panel')!;
  assert.equal(panel.hidden, false);
  assert.match(panel.textContent ?? '', /before “edit the greeting”/);
  assert.match(panel.textContent ?? '', /2 files change/);
  assert.match(panel.textContent ?? '', /made\.txt.*removed.*changed by hand/);
  button(panel, 'made.txt').click();
  await settle();
  assert.deepEqual(calls(m.host, 'showCheckpointDiff'), [{ checkpointId: 'cp-7', path: 'made.txt' }]);

  const scope = panel.querySelector<HTMLInputElement>('[data-key="scope-conversation"]')!;
  scope.checked = true;
  scope.dispatchEvent(new window.Event('change', { bubbles: true }));
  button(panel, 'Restore').click();
  await settle();
  assert.deepEqual(calls(m.host, 'restoreCheckpoint'), [
    { checkpointId: 'cp-7', conversation: true, text: 'edit the greeting' },
  ]);
  assert.equal(button(panel, 'Restoring…').disabled, true);
  finishRestore();
  await flush(m);
  assert.equal(panel.hidden, true);

  await notify(m, 'chat/notice', {
    sessionId: SESSION,
    level: 'info',
    text: 'Restored 1 file from the checkpoint.',
  });
  assert.match(m.root.querySelector('.msg-notice')?.textContent ?? '', /Restored 1 file/);
  await notify(m, 'chat/notice', { sessionId: 'other', level: 'info', text: 'not here' });
  assert.equal(m.root.querySelectorAll('.msg-notice').length, 1, 'another session’s notice is not shown');
});

test('Restore is not offered while a turn runs, and Cancel closes the panel without restoring', async () => {
  const m = await mount(
    readyResult({ transcript: [userText('say hello', 'u1'), userText('edit the greeting', 'u2')] }),
  );
  await notify(m, 'checkpoints', { sessionId: SESSION, checkpoints: [checkpoint] });
  m.host.handle('previewCheckpoint', () => ({ files: [] }));
  button(m.root, 'Restore checkpoint…').click();
  await flush(m);
  const panel = m.root.querySelector<HTMLElement>('.restore-panel')!;
  assert.match(panel.textContent ?? '', /No file differs/);
  button(panel, 'Cancel').click();
  assert.equal(panel.hidden, true);
  assert.equal(calls(m.host, 'restoreCheckpoint').length, 0);
  await notify(m, 'state', hostState({ activity: 'working' }));
  assert.equal(button(m.root, 'Restore checkpoint…').disabled, true);
});

test('user message indexes skip slash commands; checkpoints find their message by index and first line', () => {
  const user = (id: string, text: string, steered?: true): TranscriptItem => ({
    kind: 'user',
    id,
    text,
    context: [],
    messageId: null,
    ...(steered ? { steered } : {}),
  });
  const items = [
    user('a', 'first'),
    user('b', '/status'),
    user('c', 'second\nmore lines'),
    user('d', 'look here', true),
    user('e', '/review the diff'),
    user('f', 'third'),
  ];
  assert.deepEqual(
    [...userMessageIndexes(items)],
    [
      ['a', 0],
      ['c', 1],
      ['d', 2],
      ['f', 3],
    ],
  );
  const at = (beforeUserMessage: number, prompt: string): CheckpointInfo => ({
    ...checkpoint,
    id: `${beforeUserMessage}:${prompt}`,
    beforeUserMessage,
    prompt,
  });
  const found = checkpointsByMessage(items, [at(1, 'second'), at(3, 'third'), at(2, 'first')]);
  assert.equal(found.get('c')?.id, '1:second');
  assert.equal(found.get('f')?.id, '3:third');
  assert.equal(found.get('a')?.id, '2:first', 'a miscounted index is corrected by the prompt text');
  // A prompt cut short by the agent still matches.
  assert.equal(checkpointsByMessage(items, [at(1, 'sec…')]).get('c')?.id, '1:sec…');
});

test('a chat is renamed from the history list: ✎, type, Enter; Escape leaves it as it was', async () => {
  const root = freshRoot();
  const renamed: [string, string][] = [];
  let canRename = true;
  const list = new SessionList({
    list: async () => ({
      sessions: [{ sessionId: 'c1', title: 'Old title', updatedAt: null, cwd: '/w' }],
      nextCursor: null,
    }),
    load: async () => {},
    close: () => assert.fail('Escape in the field must not close the list'),
    rename: async (sessionId, title) => void renamed.push([sessionId, title]),
    canRename: () => canRename,
  });
  root.append(list.element);
  await list.open(null);
  list.element.querySelector<HTMLButtonElement>('[aria-label="Rename Old title"]')!.click();
  let field = list.element.querySelector<HTMLInputElement>('input.session-rename')!;
  field.value = 'Escaped';
  key(field, 'Escape');
  assert.equal(list.element.querySelector('input.session-rename'), null);
  assert.deepEqual(renamed, []);

  list.element.querySelector<HTMLButtonElement>('[aria-label="Rename Old title"]')!.click();
  field = list.element.querySelector<HTMLInputElement>('input.session-rename')!;
  field.value = '  New title ';
  key(field, 'Enter');
  await settle();
  assert.deepEqual(renamed, [['c1', 'New title']]);
  assert.equal(list.element.querySelector('.session-title')?.textContent, 'New title');

  canRename = false;
  await list.open(null);
  assert.equal(
    list.element.querySelector('[aria-label^="Rename"]'),
    null,
    'not offered when the agent cannot',
  );
});
