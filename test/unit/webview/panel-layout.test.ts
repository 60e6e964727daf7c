/// <reference types="node" />
// What the panel shows around the transcript: command output as a terminal block
// with an exit badge, a header that keeps one row in every state, the chat named
// at the first send, the plan shown once, and one card per edit.
import { freshRoot } from './dom-env.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionUpdate } from '@agentclientprotocol/sdk';
import { createChatApp, type ChatApp } from '../../../extension/webview/app.js';
import { connectToHost } from '../../../extension/webview/rpc.js';
import type { HostState, ReviewCard } from '../../../shared/webview-protocol.js';
import { createHostPeer, settle, type HostPeer } from './host-peer.js';
import { SESSION, hostState, note, readyResult } from './fixtures.js';

type Mounted = { app: ChatApp; host: HostPeer; root: HTMLElement };

async function mount(state: HostState = hostState()): Promise<Mounted> {
  const root = freshRoot();
  const host = createHostPeer();
  host.handle('ready', () => readyResult({ state }));
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

const update = (m: Mounted, u: SessionUpdate) => notify(m, 'session/update', note(u));

function fencedRun(id: string, output: string, outcome: string): SessionUpdate[] {
  return [
    {
      sessionUpdate: 'tool_call',
      toolCallId: id,
      title: `run ${id}`,
      kind: 'execute',
      status: 'in_progress',
    },
    {
      sessionUpdate: 'tool_call_update',
      toolCallId: id,
      status: 'completed',
      content: [{ type: 'content', content: { type: 'text', text: '```\n' + output + '\n```\n' + outcome } }],
    },
  ];
}

function cardOf(root: HTMLElement, toolCallId: string): HTMLElement {
  const card = root.querySelector<HTMLElement>(`.tool-card[data-tool-call-id="${toolCallId}"]`);
  assert.ok(card, `a card for ${toolCallId}`);
  return card;
}

test('a command’s output is a terminal block without fences, with the exit code as a badge', async () => {
  const m = await mount();
  for (const u of fencedRun('c1', 'sum=5', 'Exit code: 0')) await update(m, u);
  const card = cardOf(m.root, 'c1');
  const badge = card.querySelector('.tool-header .exit-badge');
  assert.equal(badge?.textContent, 'exit 0');
  assert.ok(badge?.classList.contains('exit-ok'));
  card.querySelector<HTMLButtonElement>('.tool-toggle')!.click();
  m.app.flush();
  const open = cardOf(m.root, 'c1');
  assert.equal(open.querySelector('.tool-output .terminal-output')?.textContent, 'sum=5');
  assert.doesNotMatch(open.textContent ?? '', /```|Exit code/, 'no Markdown fences, no plain exit line');

  for (const u of fencedRun('c2', 'no match', 'Exit code: 1. Exit code 1 from grep means no lines matched.'))
    await update(m, u);
  const failed = cardOf(m.root, 'c2');
  const red = failed.querySelector('.exit-badge');
  assert.equal(red?.textContent, 'exit 1');
  assert.ok(red?.classList.contains('exit-error'), 'a non-zero exit is in the error colour');
  failed.querySelector<HTMLButtonElement>('.tool-toggle')!.click();
  m.app.flush();
  assert.match(cardOf(m.root, 'c2').querySelector('.terminal-note')?.textContent ?? '', /no lines matched/);
});

test('the most recent command shows its last lines without a click; older ones do not', async () => {
  const m = await mount();
  const lines = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n');
  for (const u of fencedRun('c1', lines, 'Exit code: 0')) await update(m, u);
  const preview = cardOf(m.root, 'c1').querySelector('.terminal-preview');
  assert.ok(preview, 'collapsed, yet the tail shows');
  assert.equal(preview.textContent?.split('\n').at(-1), 'line 20');
  assert.doesNotMatch(preview.textContent ?? '', /line 1\n/, 'only the last lines');
  assert.equal(cardOf(m.root, 'c1').querySelector('.tool-output')?.hasAttribute('hidden'), true);

  for (const u of fencedRun('c2', 'second', 'Exit code: 0')) await update(m, u);
  assert.equal(cardOf(m.root, 'c1').querySelector('.terminal-preview'), null, 'the older card folds away');
  assert.equal(cardOf(m.root, 'c2').querySelector('.terminal-preview')?.textContent, 'second');
});

test('a client terminal streams into the same block and gets its badge when it exits', async () => {
  const m = await mount();
  await update(m, {
    sessionUpdate: 'tool_call',
    toolCallId: 't1',
    title: 'npm test',
    kind: 'execute',
    status: 'in_progress',
    content: [{ type: 'terminal', terminalId: 'term-1' }],
  });
  await notify(m, 'terminal/output', { terminalId: 't', output: '', truncated: false, exitStatus: null });
  await notify(m, 'terminal/output', {
    terminalId: 'term-1',
    output: 'ok 1\nok 2\n',
    truncated: false,
    exitStatus: null,
  });
  assert.equal(cardOf(m.root, 't1').querySelector('.exit-badge'), null, 'no badge while it runs');
  assert.equal(cardOf(m.root, 't1').querySelector('.terminal-preview')?.textContent, 'ok 1\nok 2');
  await notify(m, 'terminal/output', {
    terminalId: 'term-1',
    output: 'ok 1\nok 2\n',
    truncated: false,
    exitStatus: { exitCode: 3, signal: null },
  });
  assert.equal(cardOf(m.root, 't1').querySelector('.exit-badge.exit-error')?.textContent, 'exit 3');
});

/** Tag and class of each child: the header's layout, independent of its text. */
function shape(el: Element): string[] {
  return [...el.children].map(
    (c) => `${c.tagName}.${[...c.classList].filter((k) => !k.startsWith('activity-')).join('.')}`,
  );
}

test('the header keeps the same single row in every state; banners sit outside it', async () => {
  const m = await mount();
  const header = m.root.querySelector('header.header')!;
  const idle = shape(header);
  const longTitle = 'A very long title that would never fit in a sidebar '.repeat(4);
  const states: Partial<HostState>[] = [
    { activity: 'working' },
    { activity: 'awaiting_approval', sessionTitle: longTitle },
    { activity: 'starting' },
    { activity: 'stopped', hasApiKey: false, exit: { code: 1, signal: null, message: 'It stopped.' } },
  ];
  for (const s of states) {
    await notify(m, 'state', hostState(s));
    assert.deepEqual(shape(header), idle, `same structure when ${s.activity}`);
    assert.equal(header.querySelectorAll('.banner, select').length, 0, 'no banners or pickers in the header');
    if (s.sessionTitle) assert.equal(header.querySelector('.title')?.getAttribute('title'), s.sessionTitle);
  }
  assert.ok(m.root.querySelector('.banners .banner-error'), 'the stopped banner shows below the header');
  assert.ok(m.root.querySelector('.banners .banner-warning'), 'the missing key banner too');
  // The secondary actions are in the More menu, closed until asked for.
  const menu = header.querySelector<HTMLElement>('[role="menu"]')!;
  assert.equal(menu.hidden, true);
  header.querySelector<HTMLButtonElement>('button[aria-label="More actions"]')!.click();
  assert.equal(menu.hidden, false);
  const items = [...menu.querySelectorAll('[role="menuitem"]')].map((b) => b.textContent);
  assert.ok(items.includes('History') && items.includes('Show log'), items.join(', '));
  menu.querySelector<HTMLButtonElement>('[data-key="menu-log"]')!.click();
  await settle();
  assert.equal(menu.hidden, true);
  assert.deepEqual(m.host.calls.at(-1), { method: 'runCommand', params: { command: 'showLog' } });
});

test('the chat is named as soon as the first prompt is sent, then refined by the agent', async () => {
  const m = await mount();
  const title = () => m.root.querySelector('header .title')?.textContent;
  assert.equal(title(), 'New chat');
  m.host.handle('prompt', async ({ text, context }) => {
    // What the host does on a first send: echo the prompt, then the state with the new title.
    m.host.notify('chat/userPrompt', { sessionId: SESSION, text, context });
    m.host.notify('state', hostState({ activity: 'working', sessionTitle: 'Fix the parser bug' }));
    return await new Promise(() => {}); // the turn is still running
  });
  const input = m.root.querySelector<HTMLTextAreaElement>('.composer-input')!;
  input.value = 'Fix the parser bug\nin src/parse.ts';
  input.dispatchEvent(new window.Event('input', { bubbles: true }));
  m.root.querySelector<HTMLButtonElement>('button[aria-label^="Send"]')!.click();
  await settle();
  m.app.flush();
  assert.equal(title(), 'Fix the parser bug', 'named while the first turn runs');
  await update(m, { sessionUpdate: 'session_info_update', title: 'Parser: handle empty input' });
  assert.equal(title(), 'Parser: handle empty input');
});

test('the plan is shown once: as the checklist, not also as a tool card', async () => {
  const m = await mount();
  await update(m, {
    sessionUpdate: 'tool_call',
    toolCallId: 'plan-1',
    title: 'Plan (0/2 done)',
    kind: 'think',
    status: 'in_progress',
  });
  await update(m, {
    sessionUpdate: 'plan',
    entries: [
      { content: 'Read the code', priority: 'high', status: 'in_progress' },
      { content: 'Fix it', priority: 'high', status: 'pending' },
    ],
  });
  await update(m, { sessionUpdate: 'tool_call_update', toolCallId: 'plan-1', status: 'completed' });
  const visibleCards = [...m.root.querySelectorAll('.tool-card')];
  assert.equal(visibleCards.length, 0, 'no plan tool card');
  const plan = m.root.querySelector<HTMLElement>('.plan')!;
  assert.equal(plan.hidden, false);
  assert.equal(plan.querySelectorAll('.plan-entry').length, 2);
  assert.equal((m.root.textContent?.match(/Read the code/g) ?? []).length, 1);
  // Other thinking tools keep their card.
  await update(m, {
    sessionUpdate: 'tool_call',
    toolCallId: 'th',
    title: 'Think',
    kind: 'think',
    status: 'completed',
  });
  assert.ok(cardOf(m.root, 'th'));
});

test('an edit that has a review shows only the review card, with relative paths', async () => {
  const m = await mount();
  const review: ReviewCard = {
    reviewId: 'r1',
    sessionId: SESSION,
    path: '/ws/src/app.ts',
    relPath: 'src/app.ts',
    toolCallId: 'e1',
    source: 'permission',
    isNewFile: false,
    hadUnsavedChanges: false,
    linesAdded: 1,
    linesRemoved: 1,
  };
  await notify(m, 'review/opened', review);
  await notify(m, 'permission/requested', {
    requestId: 'p1',
    sessionId: SESSION,
    toolCall: {
      toolCallId: 'e1',
      title: 'Edit /ws/src/app.ts',
      kind: 'edit',
      content: [{ type: 'diff', path: '/ws/src/app.ts', oldText: 'a\n', newText: 'b\n' }],
    },
    options: [
      { optionId: 'yes', name: 'Allow', kind: 'allow_once' },
      { optionId: 'always', name: 'Always allow edits in this project', kind: 'allow_always' },
    ],
  });
  assert.equal(m.root.querySelectorAll('.permission-card').length, 0, 'no plain permission card');
  const cards = m.root.querySelectorAll('.pending .review-card');
  assert.equal(cards.length, 1);
  assert.doesNotMatch(m.root.querySelector('.pending')?.textContent ?? '', /\/ws\//);

  // A permission without a review (a command) names workspace files relative too.
  await notify(m, 'permission/requested', {
    requestId: 'p2',
    sessionId: SESSION,
    toolCall: { toolCallId: 'x', title: 'Delete /ws/build/out.js', kind: 'delete' },
    options: [{ optionId: 'yes', name: 'Allow', kind: 'allow_once' }],
  });
  assert.match(m.root.querySelector('.permission-card')?.textContent ?? '', /Delete build\/out\.js\?/);
});
