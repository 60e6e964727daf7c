/// <reference types="node" />
// The composer's `@` references and images against a real JSON-RPC peer standing in for the host.
import { freshRoot, jsdomWindow } from './dom-env.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChatApp, createChatApp } from '../../../extension/webview/app.js';
import { connectToHost } from '../../../extension/webview/rpc.js';
import { matchReferences } from '../../../extension/webview/completion.js';
import { readPersisted } from '../../../extension/webview/ui-state.js';
import { type HostPeer, createHostPeer, settle } from './host-peer.js';
import { readyResult } from './fixtures.js';
import type { ContextItem } from '../../../shared/webview-protocol.js';

const globals = globalThis as unknown as Record<string, unknown>;
globals.FileReader ??= jsdomWindow.FileReader;
globals.File ??= jsdomWindow.File;

type Mounted = { app: ChatApp; host: HostPeer; root: HTMLElement; input: HTMLTextAreaElement };

async function mount(): Promise<Mounted> {
  const root = freshRoot();
  const host = createHostPeer();
  host.handle('ready', () => readyResult());
  host.handle('mentionFiles', () => ({
    files: [{ path: '/ws/src/app.ts', relPath: 'src/app.ts' }],
    folders: [{ path: '/ws/src', relPath: 'src/' }],
  }));
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
  return { app, host, root, input: root.querySelector<HTMLTextAreaElement>('.composer-input')! };
}

function type(input: HTMLTextAreaElement, text: string): void {
  input.value = text;
  input.setSelectionRange(text.length, text.length);
  input.dispatchEvent(new window.Event('input', { bubbles: true }));
}

function enter(input: HTMLTextAreaElement): void {
  input.dispatchEvent(new window.KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
}

async function sent(m: Mounted): Promise<ContextItem[]> {
  m.host.handle('prompt', () => ({ stopReason: 'end_turn' }));
  type(m.input, `${m.input.value.trim()} please`);
  enter(m.input);
  await settle();
  const call = m.host.calls.filter((c) => c.method === 'prompt').at(-1);
  return (call?.params as { context: ContextItem[] }).context;
}

const chips = (m: Mounted) => [...m.root.querySelectorAll('.composer .chip')].map((c) => c.textContent ?? '');

test('@ offers the special references, then folders, then files', () => {
  assert.deepEqual(
    matchReferences('').map((r) => r.label),
    ['@problems', '@terminal', '@git-changes'],
  );
  assert.deepEqual(
    matchReferences('git').map((r) => r.label),
    ['@git-changes'],
  );
  assert.deepEqual(
    matchReferences('change').map((r) => r.label),
    ['@git-changes'],
  );
  assert.deepEqual(matchReferences('https://example.com/docs?a=1'), [
    {
      ref: 'url',
      label: '@https://example.com/docs?a=1',
      detail: 'Web page, read by the agent with web_fetch',
      url: 'https://example.com/docs?a=1',
    },
  ]);
  assert.deepEqual(matchReferences('parser'), []);
});

test('@problems is gathered by the host when picked; its chip shows the size and a cut', async () => {
  const m = await mount();
  m.host.handle('resolveReference', ({ ref }) => ({
    item: {
      kind: 'reference',
      ref,
      label: ref,
      text: 'a.ts:1:1 error: x',
      bytes: 2300,
      note: 'cut to 2.2 KB of 90 KB',
    },
  }));
  type(m.input, 'fix @prob');
  await settle();
  const options = [...m.root.querySelectorAll('#composer-completion .option-label')].map(
    (o) => o.textContent,
  );
  assert.equal(options[0], '@problems', 'references come before folders and files');
  enter(m.input);
  await settle();
  assert.deepEqual(m.host.calls.filter((c) => c.method === 'resolveReference').at(-1)?.params, {
    ref: 'problems',
  });
  assert.deepEqual(chips(m), ['@problems · 2.2 KB · cut×']);
  assert.match(
    m.root.querySelector('.composer .chip')?.getAttribute('title') ?? '',
    /cut to 2\.2 KB of 90 KB/,
  );
  const context = await sent(m);
  assert.equal(context[0]?.kind, 'reference');
});

test('a folder from the picker is gathered as @folder with its path', async () => {
  const m = await mount();
  m.host.handle('resolveReference', ({ ref, path }) => ({
    item: { kind: 'reference', ref, label: 'src/', path, text: 'src/\n  app.ts', bytes: 13, note: null },
  }));
  type(m.input, 'look at @sr');
  await settle();
  const options = [...m.root.querySelectorAll('#composer-completion .option-label')].map(
    (o) => o.textContent,
  );
  assert.deepEqual(options, ['src/', 'src/app.ts']);
  enter(m.input);
  await settle();
  assert.deepEqual(m.host.calls.filter((c) => c.method === 'resolveReference').at(-1)?.params, {
    ref: 'folder',
    path: '/ws/src',
  });
  assert.deepEqual(chips(m), ['@src/ · 13 B×']);
});

test('a reference the host cannot gather is reported, and no chip is added', async () => {
  const m = await mount();
  m.host.handle('resolveReference', () => {
    throw new Error('@git-changes needs a git repository: the workspace folder is not one.');
  });
  type(m.input, '@git-ch');
  await settle();
  enter(m.input);
  await settle();
  m.app.flush();
  assert.deepEqual(chips(m), []);
  assert.match(m.root.querySelector('.notices')?.textContent ?? '', /needs a git repository/);
});

test('@https://… attaches the address, which the agent reads with web_fetch', async () => {
  const m = await mount();
  type(m.input, 'summarise @https://example.com/guide');
  await settle();
  enter(m.input);
  await settle();
  assert.deepEqual(chips(m), ['@example.com/guide×']);
  assert.equal(
    m.host.calls.filter((c) => c.method === 'mentionFiles').length,
    0,
    'no file search for an address',
  );
  assert.deepEqual(await sent(m), [{ kind: 'url', url: 'https://example.com/guide' }]);
});

test('a pasted image becomes a chip with a thumbnail and its size, and is sent as base64', async () => {
  const m = await mount();
  const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const image = new jsdomWindow.File([bytes], 'shot.png', { type: 'image/png' });
  const paste = new window.Event('paste', { bubbles: true, cancelable: true });
  Object.defineProperty(paste, 'clipboardData', { value: { files: [image] } });
  m.input.dispatchEvent(paste);
  assert.equal(paste.defaultPrevented, true);
  // FileReader answers asynchronously: wait for the chip (bounded, not timed).
  for (let i = 0; i < 500 && chips(m).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(chips(m), ['shot.png · 8 B×']);
  assert.equal(
    m.root.querySelector('.composer .chip img.chip-thumb')?.getAttribute('src'),
    'data:image/png;base64,iVBORw0KGgo=',
  );
  const context = await sent(m);
  assert.deepEqual(context, [
    { kind: 'image', name: 'shot.png', mimeType: 'image/png', data: 'iVBORw0KGgo=', bytes: 8 },
  ]);
  // The message in the transcript shows the image as a thumbnail.
  m.host.notify('chat/userPrompt', { sessionId: 'sess-1', text: 'look please', context });
  await settle();
  m.app.flush();
  const thumb = m.root.querySelector('.msg-user .chip img.chip-thumb');
  assert.equal(thumb?.getAttribute('src'), 'data:image/png;base64,iVBORw0KGgo=');
});

test('pasted text is left alone; a non-image file dropped is not attached', async () => {
  const m = await mount();
  const paste = new window.Event('paste', { bubbles: true, cancelable: true });
  Object.defineProperty(paste, 'clipboardData', { value: { files: [] } });
  m.input.dispatchEvent(paste);
  assert.equal(paste.defaultPrevented, false);
  const drop = new window.Event('drop', { bubbles: true, cancelable: true });
  const pdf = new jsdomWindow.File(['%PDF'], 'doc.pdf', { type: 'application/pdf' });
  Object.defineProperty(drop, 'dataTransfer', { value: { files: [pdf], types: ['Files'] } });
  m.input.dispatchEvent(drop);
  assert.equal(drop.defaultPrevented, false);
  assert.deepEqual(chips(m), []);
});

test('a saved draft keeps references, addresses and images; malformed ones are dropped', () => {
  const state = readPersisted({
    version: 1,
    draft: {
      text: 'x',
      context: [
        { kind: 'url', url: 'https://example.com' },
        { kind: 'image', name: 'a.png', mimeType: 'image/png', data: 'AAAA', bytes: 3 },
        { kind: 'image', name: 'a.svg', mimeType: 'image/svg+xml', data: 'AAAA', bytes: 3 },
        { kind: 'reference', ref: 'problems', label: 'problems', text: 't', bytes: 1, note: null },
        { kind: 'reference', ref: 'problems' },
      ],
    },
  });
  assert.deepEqual(
    state.draft.context.map((c) => c.kind),
    ['url', 'image', 'reference'],
  );
});
