/// <reference types="node" />
// The whole panel against a real JSON-RPC peer standing in for the extension
// host: what the user sees, and which protocol requests their clicks send.
import { freshRoot } from './dom-env.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChatApp, createChatApp } from '../../../extension/webview/app.js';
import { type PersistedUiState, readPersisted } from '../../../extension/webview/ui-state.js';
import { connectToHost } from '../../../extension/webview/rpc.js';
import { type HostPeer, createHostPeer, settle } from './host-peer.js';
import { SESSION, agentText, hostState, longTranscript, note, readyResult } from './fixtures.js';
import type { ReadyResult } from '../../../shared/webview-protocol.js';

type Mounted = { app: ChatApp; host: HostPeer; root: HTMLElement; saved: PersistedUiState[] };

async function mount(ready: ReadyResult = readyResult(), savedState?: unknown): Promise<Mounted> {
  const root = freshRoot();
  const host = createHostPeer();
  host.handle('ready', () => ready);
  const saved: PersistedUiState[] = [];
  let app!: ChatApp;
  const connection = connectToHost(host.channel, (n) => app.receive(n));
  app = createChatApp(
    root,
    connection,
    { load: () => savedState ?? saved.at(-1), save: (s) => saved.push(s) },
    { schedule: (render) => queueMicrotask(render) },
  );
  await app.start();
  await settle();
  app.flush();
  return { app, host, root, saved };
}

async function notify(m: Mounted, ...args: Parameters<HostPeer['notify']>): Promise<void> {
  m.host.notify(...args);
  await settle();
  m.app.flush();
}

function button(root: ParentNode, text: string | RegExp): HTMLButtonElement {
  const found = [...root.querySelectorAll('button')].find((b) =>
    typeof text === 'string' ? b.textContent?.trim() === text : text.test(b.textContent ?? ''),
  );
  assert.ok(found, `a button labelled ${text}`);
  return found;
}

function lastCall(host: HostPeer, method: string): unknown {
  return host.calls.filter((c) => c.method === method).at(-1)?.params;
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

test('ready replays the transcript and streamed chunks render as Markdown', async () => {
  const m = await mount(readyResult({ transcript: [agentText('Hello **there**', 'a1')] }));
  assert.equal(m.host.calls[0]?.method, 'ready');
  assert.equal(m.root.querySelector('.msg-agent strong')?.textContent, 'there');
  await notify(m, 'session/update', agentText('\n\n```js\nlet a = 1;\n```', 'a1'));
  assert.equal(m.root.querySelectorAll('.msg-agent').length, 1);
  assert.ok(m.root.querySelector('.msg-agent pre code .hljs-keyword'));
});

test('an empty chat shows a hint, gone once the conversation starts', async () => {
  const m = await mount();
  const hint = m.root.querySelector<HTMLElement>('.empty-state')!;
  assert.equal(hint.hidden, false);
  assert.match(hint.textContent ?? '', /@ to attach a file/);
  await notify(m, 'session/update', agentText('Hi', 'a'));
  assert.equal(hint.hidden, true);
});

test('a 2,000-message chat renders a bounded number of DOM nodes', async () => {
  const m = await mount(readyResult({ transcript: longTranscript(2000) }));
  assert.equal(m.app.store.getState().items.length, 2000);
  const messages = m.root.querySelectorAll('.msg').length;
  assert.ok(messages > 0 && messages <= 60, `rendered ${messages} messages`);
  const allNodes = m.root.querySelectorAll('*').length;
  assert.ok(allNodes < 1500, `rendered ${allNodes} elements for 2,000 messages`);
  assert.match(m.root.querySelector('.msg-agent')?.textContent ?? '', /Answer/);
  assert.match(button(m.root, /Show earlier messages/).textContent ?? '', /1940/);
});

test('thinking is collapsed by default and expands on request', async () => {
  const m = await mount();
  await notify(
    m,
    'session/update',
    note({ sessionUpdate: 'agent_thought_chunk', content: { type: 'text', text: 'I should **check**' } }),
  );
  const details = m.root.querySelector<HTMLDetailsElement>('details.msg-thought')!;
  assert.equal(details.open, false);
  assert.equal(details.querySelector('strong'), null, 'not rendered while hidden');
  details.open = true;
  details.dispatchEvent(new window.Event('toggle'));
  assert.equal(details.querySelector('strong')?.textContent, 'check');
});

test('tool cards show kind, title, status, output on demand, and open locations at the line', async () => {
  const m = await mount();
  await notify(
    m,
    'session/update',
    note({
      sessionUpdate: 'tool_call',
      toolCallId: 't1',
      title: 'Read parser.ts',
      kind: 'read',
      status: 'in_progress',
      locations: [{ path: '/ws/src/parser.ts', line: 42 }],
    }),
  );
  await notify(
    m,
    'session/update',
    note({
      sessionUpdate: 'tool_call_update',
      toolCallId: 't1',
      status: 'completed',
      content: [
        { type: 'content', content: { type: 'text', text: 'export function parse() {}' } },
        { type: 'diff', path: '/ws/src/parser.ts', oldText: 'a\nb\n', newText: 'a\nc\nd\n' },
      ],
    }),
  );
  const card = m.root.querySelector('.tool-card')!;
  assert.equal(card.querySelector('.tool-title')?.textContent, 'Read parser.ts');
  assert.match(card.querySelector('.tool-status')?.textContent ?? '', /Done/);
  const toggle = card.querySelector<HTMLButtonElement>('.tool-toggle')!;
  assert.equal(toggle.getAttribute('aria-expanded'), 'false');
  assert.ok(toggle.getAttribute('aria-label')?.startsWith('Read: Read parser.ts'));
  toggle.focus();
  toggle.click();
  const open = m.root.querySelector('.tool-card')!;
  assert.equal(open.querySelector('.tool-toggle')?.getAttribute('aria-expanded'), 'true');
  assert.equal(
    document.activeElement,
    open.querySelector('.tool-toggle'),
    'keyboard focus survives the redraw',
  );
  assert.equal(open.querySelector('.tool-text')?.textContent, 'export function parse() {}');
  assert.match(open.querySelector('.tool-diff')?.textContent ?? '', /parser\.ts.*\+2 −1/);
  button(open, 'src/parser.ts:42').click();
  await settle();
  assert.deepEqual(lastCall(m.host, 'openLocation'), { path: '/ws/src/parser.ts', line: 42 });
});

test('terminal content shows the output the host streams', async () => {
  const m = await mount();
  await notify(
    m,
    'session/update',
    note({
      sessionUpdate: 'tool_call',
      toolCallId: 't2',
      title: 'npm test',
      kind: 'execute',
      status: 'failed',
      content: [{ type: 'terminal', terminalId: 'term-9' }],
    }),
  );
  assert.match(
    m.root.querySelector('.terminal-output')?.textContent ?? '',
    /Waiting/,
    'failed cards open by default',
  );
  await notify(m, 'terminal/output', {
    terminalId: 'term-9',
    output: '1 failing',
    truncated: false,
    exitStatus: { exitCode: 1, signal: null },
  });
  assert.equal(m.root.querySelector('.terminal-output')?.textContent, '1 failing');
  assert.equal(m.root.querySelector('.tool-header .exit-badge.exit-error')?.textContent, 'exit 1');
});

test('permission cards offer exactly the agent’s options and answer with the chosen one', async () => {
  const m = await mount();
  const options = [
    { optionId: 'once', name: 'Allow once', kind: 'allow_once' as const },
    { optionId: 'always', name: 'Always allow npm', kind: 'allow_always' as const },
    { optionId: 'no', name: 'Reject', kind: 'reject_once' as const },
  ];
  await notify(m, 'permission/requested', {
    requestId: 'p1',
    sessionId: SESSION,
    toolCall: { toolCallId: 't3', title: 'npm install', kind: 'execute' },
    options,
  });
  const card = m.root.querySelector('.permission-card')!;
  assert.deepEqual(
    [...card.querySelectorAll('.pending-actions button')].map((b) => b.textContent),
    ['Allow once', 'Always allow npm', 'Reject'],
  );
  assert.match(m.root.querySelector('[aria-live="polite"]')?.textContent ?? '', /permission: npm install/);
  button(card, 'Always allow npm').click();
  await settle();
  assert.deepEqual(lastCall(m.host, 'answerPermission'), { requestId: 'p1', optionId: 'always' });
  assert.ok(
    [...card.querySelectorAll('button')].every((b) => b.disabled),
    'no second answer',
  );
  await notify(m, 'permission/resolved', { requestId: 'p1', optionId: 'always' });
  assert.equal(m.root.querySelector('.permission-card'), null);
});

test('edit review cards show the file and summary; Accept, Reject and the file link reach the host', async () => {
  const m = await mount();
  const review = {
    reviewId: 'v1',
    sessionId: SESSION,
    path: '/ws/src/a.ts',
    relPath: 'src/a.ts',
    toolCallId: null,
    source: 'write' as const,
    isNewFile: true,
    hadUnsavedChanges: false,
    linesAdded: 12,
    linesRemoved: 0,
  };
  await notify(m, 'review/opened', review);
  const card = m.root.querySelector('.review-card')!;
  assert.match(card.textContent ?? '', /src\/a\.ts/);
  assert.match(card.textContent ?? '', /new file, \+12 −0/);
  button(card, 'src/a.ts').click();
  button(card, 'Accept').click();
  await settle();
  assert.deepEqual(lastCall(m.host, 'showReview'), { reviewId: 'v1' });
  assert.deepEqual(lastCall(m.host, 'acceptEdit'), { reviewId: 'v1' });
  await notify(m, 'review/opened', { ...review, reviewId: 'v2' });
  button(m.root.querySelector('[data-review-id="v2"]')!, 'Reject').click();
  await settle();
  assert.deepEqual(lastCall(m.host, 'rejectEdit'), { reviewId: 'v2' });
});

test('an edit that asks permission with a diff shows one card: the review, with "always allow" from the request', async () => {
  const m = await mount();
  await notify(m, 'permission/requested', {
    requestId: 'p9',
    sessionId: SESSION,
    toolCall: { toolCallId: 't9', title: 'Edit a.ts', kind: 'edit' },
    options: [
      { optionId: 'allow_once', name: 'Allow', kind: 'allow_once' as const },
      { optionId: 'allow_always', name: 'Always allow edits in this project', kind: 'allow_always' as const },
      { optionId: 'reject_once', name: 'Reject', kind: 'reject_once' as const },
    ],
  });
  await notify(m, 'review/opened', {
    reviewId: 'v9',
    sessionId: SESSION,
    path: '/ws/a.ts',
    relPath: 'a.ts',
    toolCallId: 't9',
    source: 'permission' as const,
    isNewFile: false,
    hadUnsavedChanges: false,
    linesAdded: 1,
    linesRemoved: 1,
  });
  assert.equal(m.root.querySelector('.permission-card'), null, 'no second card for the same edit');
  const card = m.root.querySelector('.review-card')!;
  assert.deepEqual(
    [...card.querySelectorAll('.pending-actions button')].map((b) => b.textContent),
    ['Accept', 'Reject', 'Always allow edits in this project'],
  );
  button(card, 'Always allow edits in this project').click();
  await settle();
  assert.deepEqual(lastCall(m.host, 'answerPermission'), { requestId: 'p9', optionId: 'allow_always' });
  // A permission request for something else still gets its own card.
  await notify(m, 'permission/requested', {
    requestId: 'p10',
    sessionId: SESSION,
    toolCall: { toolCallId: 't10', title: 'npm test', kind: 'execute' },
    options: [{ optionId: 'allow_once', name: 'Allow', kind: 'allow_once' as const }],
  });
  assert.ok(m.root.querySelector('.permission-card'));
});

test('the plan shows as a checklist', async () => {
  const m = await mount();
  await notify(
    m,
    'session/update',
    note({
      sessionUpdate: 'plan',
      entries: [
        { content: 'Read the code', priority: 'high', status: 'completed' },
        { content: 'Fix the bug', priority: 'medium', status: 'in_progress' },
      ],
    }),
  );
  const plan = m.root.querySelector<HTMLElement>('.plan')!;
  assert.equal(plan.hidden, false);
  assert.match(plan.querySelector('summary')?.textContent ?? '', /1\/2 done/);
  assert.match(plan.querySelector('.plan-completed')?.textContent ?? '', /Read the code.*done/);
});

test('sending a prompt, then Stop while the turn runs', async () => {
  const m = await mount();
  let finish!: () => void;
  m.host.handle(
    'prompt',
    () => new Promise((resolve) => (finish = () => resolve({ stopReason: 'cancelled' }))),
  );
  const input = m.root.querySelector<HTMLTextAreaElement>('.composer-input')!;
  type(input, 'Fix the tests');
  key(input, 'Enter');
  await settle();
  assert.deepEqual(lastCall(m.host, 'prompt'), { text: 'Fix the tests', context: [] });
  assert.equal(input.value, '', 'the draft is cleared once sent');
  await notify(m, 'chat/userPrompt', { sessionId: SESSION, text: 'Fix the tests', context: [] });
  await notify(m, 'state', hostState({ activity: 'working' }));
  assert.equal(m.root.querySelector('.msg-user')?.textContent, 'Fix the tests');
  const stop = button(m.root, 'Stop');
  assert.equal(stop.hidden, false);
  // While the turn runs, Send queues the next message instead.
  assert.equal(button(m.root, 'Queue').disabled, false);
  key(input, 'Escape');
  await settle();
  assert.equal(m.host.calls.filter((c) => c.method === 'cancel').length, 1, 'Escape in the composer stops');
  stop.click();
  await settle();
  assert.equal(m.host.calls.filter((c) => c.method === 'cancel').length, 2);
  finish();
  await notify(m, 'turn/ended', { sessionId: SESSION, stopReason: 'cancelled', error: null });
  await notify(m, 'state', hostState({ activity: 'idle' }));
  assert.equal(button(m.root, 'Stop').hidden, true);
  assert.match(m.root.querySelector('.msg-notice')?.textContent ?? '', /Stopped/);
});

test('a prompt the host refuses puts the draft back and says why', async () => {
  const m = await mount();
  m.host.handle('prompt', () => {
    throw new Error('The agent is not running. Restart it from the panel.');
  });
  const input = m.root.querySelector<HTMLTextAreaElement>('.composer-input')!;
  type(input, 'keep me');
  key(input, 'Enter');
  await settle(10);
  m.app.flush();
  assert.equal(input.value, 'keep me');
  assert.match(m.root.querySelector('.notices')?.textContent ?? '', /not running/);
});

test('a turn that fails after the prompt was sent is reported once, in the transcript', async () => {
  const m = await mount();
  m.host.handle('prompt', async () => {
    m.host.notify('chat/userPrompt', { sessionId: SESSION, text: 'go', context: [] });
    m.host.notify('turn/ended', { sessionId: SESSION, stopReason: null, error: 'Model returned HTTP 500' });
    await settle();
    throw new Error('Model returned HTTP 500');
  });
  const input = m.root.querySelector<HTMLTextAreaElement>('.composer-input')!;
  type(input, 'go');
  key(input, 'Enter');
  await settle(15);
  m.app.flush();
  assert.equal(input.value, '', 'the prompt was sent: the draft is not put back');
  assert.match(m.root.querySelector('.msg-notice.notice-error')?.textContent ?? '', /HTTP 500/);
  assert.equal(m.root.querySelector('.notices')?.textContent, '', 'no second copy in the banner');
});

test('slash commands from available_commands_update complete in the composer', async () => {
  const m = await mount();
  await notify(
    m,
    'session/update',
    note({
      sessionUpdate: 'available_commands_update',
      availableCommands: [
        { name: 'review', description: 'Review changes' },
        { name: 'remember', description: 'Save a memory', input: { hint: 'what to remember' } },
      ],
    }),
  );
  const input = m.root.querySelector<HTMLTextAreaElement>('.composer-input')!;
  type(input, '/rev');
  const options = [...m.root.querySelectorAll('.completion [role="option"]')];
  assert.deepEqual(
    options.map((o) => o.querySelector('.option-label')?.textContent),
    ['/review'],
  );
  assert.equal(input.getAttribute('aria-expanded'), 'true');
  key(input, 'Tab');
  assert.equal(input.value, '/review ');
  assert.equal(m.root.querySelector<HTMLElement>('.completion')!.hidden, true);
  type(input, '/');
  assert.equal(m.root.querySelectorAll('.completion [role="option"]').length, 2);
  key(input, 'ArrowDown');
  assert.equal(input.getAttribute('aria-activedescendant'), 'completion-1');
  key(input, 'Escape');
  assert.equal(input.getAttribute('aria-expanded'), 'false');
});

test('@ mentions search workspace files and attach the pick as prompt context', async () => {
  const m = await mount();
  m.host.handle('mentionFiles', ({ query }) => ({
    files: [{ path: `/ws/src/${query}.ts`, relPath: `src/${query}.ts` }],
  }));
  const input = m.root.querySelector<HTMLTextAreaElement>('.composer-input')!;
  type(input, 'explain @parser');
  await settle();
  assert.deepEqual(lastCall(m.host, 'mentionFiles'), { query: 'parser', limit: 20 });
  key(input, 'Enter');
  assert.equal(input.value, 'explain @src/parser.ts ');
  assert.match(m.root.querySelector('.composer .chip')?.textContent ?? '', /parser\.ts/);
  key(input, 'Enter');
  await settle();
  assert.deepEqual(lastCall(m.host, 'prompt'), {
    text: 'explain @src/parser.ts',
    context: [{ kind: 'file', path: '/ws/src/parser.ts', relPath: 'src/parser.ts' }],
  });
});

test('"Add selection to chat" adds a removable selection chip sent with the prompt', async () => {
  const m = await mount();
  const selection = {
    kind: 'selection' as const,
    path: '/ws/a.ts',
    relPath: 'a.ts',
    startLine: 3,
    endLine: 9,
    text: 'let x = 1;',
  };
  await notify(m, 'composer/addContext', selection);
  const input = m.root.querySelector<HTMLTextAreaElement>('.composer-input')!;
  assert.equal(document.activeElement, input);
  assert.match(m.root.querySelector('.composer .chip')?.textContent ?? '', /a\.ts:3-9/);
  type(input, 'why?');
  button(m.root, 'Send').click();
  await settle();
  assert.deepEqual(lastCall(m.host, 'prompt'), { text: 'why?', context: [selection] });
  await notify(m, 'composer/addContext', selection);
  m.root.querySelector<HTMLButtonElement>('.chip-remove')!.click();
  assert.equal(m.root.querySelectorAll('.composer .chip').length, 0);
});

test('mode and model pickers come from ACP config options and set them', async () => {
  const state = hostState({
    configOptions: [
      {
        id: 'mode',
        name: 'Mode',
        category: 'mode',
        type: 'select',
        currentValue: 'ask',
        options: [
          { value: 'ask', name: 'Ask' },
          { value: 'code', name: 'Code' },
        ],
      },
      {
        id: 'model',
        name: 'Model',
        category: 'model',
        type: 'select',
        currentValue: 'small',
        options: [{ group: 'fast', name: 'Fast', options: [{ value: 'small', name: 'Small' }] }],
      },
    ],
    modes: { currentModeId: 'ask', availableModes: [{ id: 'ask', name: 'Ask' }] },
  });
  const m = await mount(readyResult({ state }));
  const selects = [...m.root.querySelectorAll<HTMLSelectElement>('.pickers select')];
  assert.deepEqual(
    selects.map((s) => s.getAttribute('aria-label')),
    ['Mode', 'Model'],
    'config options replace the legacy mode picker',
  );
  assert.equal(selects[1]?.querySelector('optgroup')?.label, 'Fast');
  selects[0]!.value = 'code';
  selects[0]!.dispatchEvent(new window.Event('change'));
  await settle();
  assert.deepEqual(lastCall(m.host, 'setConfigOption'), { configId: 'mode', value: 'code' });
});

test('a refused picker change snaps back to the current value', async () => {
  const state = hostState({
    modes: {
      currentModeId: 'ask',
      availableModes: [
        { id: 'ask', name: 'Ask' },
        { id: 'code', name: 'Code' },
      ],
    },
  });
  const m = await mount(readyResult({ state }));
  m.host.handle('setMode', () => {
    throw new Error('Mode change refused');
  });
  const select = m.root.querySelector<HTMLSelectElement>('.pickers select')!;
  select.value = 'code';
  select.dispatchEvent(new window.Event('change'));
  await settle(10);
  m.app.flush();
  assert.deepEqual(lastCall(m.host, 'setMode'), { modeId: 'code' });
  assert.equal(m.root.querySelector<HTMLSelectElement>('.pickers select')!.value, 'ask');
  assert.match(m.root.querySelector('.notices')?.textContent ?? '', /refused/);
});

test('session list: History lists sessions, picking one loads it; New chat starts one', async () => {
  const m = await mount();
  m.host.handle('listSessions', ({ cursor }) =>
    cursor
      ? { sessions: [{ sessionId: 's3', title: 'Older', updatedAt: null, cwd: '/ws' }], nextCursor: null }
      : {
          sessions: [
            { sessionId: SESSION, title: 'Current', updatedAt: '2026-11-24T10:00:00Z', cwd: '/ws' },
            { sessionId: 's2', title: 'Parser bug', updatedAt: '2026-11-23T10:00:00Z', cwd: '/ws' },
          ],
          nextCursor: 'c1',
        },
  );
  button(m.root, 'History').click();
  await settle();
  m.app.flush();
  const list = m.root.querySelector<HTMLElement>('#session-list')!;
  assert.equal(list.hidden, false);
  assert.equal(button(m.root, 'History').getAttribute('aria-expanded'), 'true');
  assert.equal(list.querySelector('[aria-current="true"]')?.textContent?.includes('Current'), true);
  button(list, 'Load more').click();
  await settle();
  assert.deepEqual(
    [...list.querySelectorAll('.session-title')].map((t) => t.textContent),
    ['Current', 'Parser bug', 'Older'],
  );
  button(list, /Parser bug/).click();
  await settle();
  assert.deepEqual(lastCall(m.host, 'loadSession'), { sessionId: 's2' });
  await notify(m, 'chat/reset', { sessionId: 's2', reason: 'load' });
  assert.equal(list.hidden, true);
  m.root.querySelector<HTMLButtonElement>('button[aria-label="Start a new chat"]')!.click();
  await settle();
  assert.ok(m.host.calls.some((c) => c.method === 'newChat'));
});

test('a stopped agent shows why, with Restart and Show log', async () => {
  const m = await mount(
    readyResult({
      state: hostState({
        activity: 'stopped',
        exit: { code: 1, signal: null, message: 'The agent exited with code 1. See the log.' },
      }),
    }),
  );
  assert.match(m.root.querySelector('.banner-error')?.textContent ?? '', /exited with code 1/);
  assert.equal(button(m.root, 'Send').disabled, true);
  button(m.root, 'Restart agent').click();
  button(m.root, 'Show log').click();
  await settle();
  assert.ok(m.host.calls.some((c) => c.method === 'restartAgent'));
  assert.deepEqual(lastCall(m.host, 'runCommand'), { command: 'showLog' });
});

test('the draft, expanded cards and reading position survive a reload through setState', async () => {
  const first = await mount(readyResult({ transcript: longTranscript(300) }));
  const input = first.root.querySelector<HTMLTextAreaElement>('.composer-input')!;
  type(input, 'half-written thought');
  button(first.root, /Show earlier messages/).click();
  const saved = first.saved.at(-1)!;
  assert.equal(saved.draft.text, 'half-written thought');
  const snapshot = first.app.list.snapshot();
  assert.equal(snapshot.following, false);
  const second = await mount(readyResult({ transcript: longTranscript(300) }), {
    ...saved,
    scroll: snapshot,
  });
  assert.equal(
    second.root.querySelector<HTMLTextAreaElement>('.composer-input')!.value,
    'half-written thought',
  );
  assert.deepEqual(second.app.list.renderedRange(), first.app.list.renderedRange());
});

test('relative links in replies open the workspace file at the line', async () => {
  const m = await mount(
    readyResult({ transcript: [agentText('See [the parser](src/parser.ts#L12).', 'a1')] }),
  );
  const link = m.root.querySelector<HTMLAnchorElement>('.msg-agent a')!;
  const event = new window.MouseEvent('click', { bubbles: true, cancelable: true });
  link.dispatchEvent(event);
  await settle();
  assert.equal(event.defaultPrevented, true);
  assert.deepEqual(lastCall(m.host, 'openLocation'), { path: '/ws/src/parser.ts', line: 12 });
});

test('no inline styles or scripts anywhere in the rendered panel (strict CSP)', async () => {
  const m = await mount(readyResult({ transcript: longTranscript(20) }));
  await notify(m, 'session/update', agentText('<p style="x">s</p><script>1</script>', 'z'));
  assert.equal(m.root.querySelectorAll('[style], script, style').length, 0);
});

test('every button and form control has an accessible name', async () => {
  const m = await mount(
    readyResult({
      state: hostState({
        hasApiKey: false,
        configOptions: [{ id: 'fast', name: 'Fast mode', type: 'boolean', currentValue: false }],
      }),
      transcript: longTranscript(4),
    }),
  );
  for (const control of m.root.querySelectorAll('button, select, textarea, input')) {
    const name =
      control.getAttribute('aria-label') ??
      (control.textContent?.trim() || control.closest('label')?.textContent?.trim() || '');
    assert.ok(name, `${control.outerHTML.slice(0, 80)} has a name`);
  }
});

test('saved UI state from elsewhere is checked: what is malformed is dropped, the rest kept', () => {
  const state = readPersisted({
    version: 1,
    draft: {
      text: 'keep',
      context: [{ kind: 'file', path: '/ws/a.ts', relPath: 'a.ts' }, { kind: 'file' }, 'junk'],
    },
    scroll: { following: 'yes' },
    expanded: { i1: true, i2: 'open' },
  });
  assert.deepEqual(state.draft, {
    text: 'keep',
    context: [{ kind: 'file', path: '/ws/a.ts', relPath: 'a.ts' }],
  });
  assert.equal(state.scroll, null);
  assert.deepEqual(state.expanded, { i1: true });
  assert.deepEqual(readPersisted('garbage').draft, { text: '', context: [] });
});
