/// <reference types="node" />
import './dom-env.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderMarkdown, setMarkdown } from '../../../extension/webview/markdown.js';

function fragment(html: string): HTMLElement {
  const div = document.createElement('div');
  div.innerHTML = html;
  return div;
}

test('renders GitHub-flavoured Markdown', () => {
  const html = fragment(
    renderMarkdown('# Title\n\n- [x] done\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n**bold** `code`'),
  );
  assert.equal(html.querySelector('h1')?.textContent, 'Title');
  assert.ok(html.querySelector('table td'));
  assert.equal(html.querySelector('strong')?.textContent, 'bold');
  assert.equal(html.querySelector('code')?.textContent, 'code');
});

test('highlights fenced code with class names only (no inline styles under the CSP)', () => {
  const html = fragment(renderMarkdown('```ts\nconst x: number = 1;\n```'));
  const code = html.querySelector('pre code');
  assert.ok(code?.classList.contains('language-ts'));
  assert.ok(code?.querySelector('.hljs-keyword'), 'keywords are marked up');
  assert.equal(code?.textContent, 'const x: number = 1;');
  assert.equal(html.querySelectorAll('[style]').length, 0);
});

test('unknown languages and unterminated fences (mid-stream) render as escaped text', () => {
  const html = fragment(renderMarkdown('```nosuchlang\n<b>not bold</b>'));
  assert.equal(html.querySelector('b'), null);
  assert.match(html.querySelector('pre code')?.textContent ?? '', /<b>not bold<\/b>/);
});

test('removes scripts, event handlers, javascript: links, styles and forms', () => {
  const html = fragment(
    renderMarkdown(
      [
        '<script>alert(1)</script>',
        '<img src="x" onerror="alert(2)">',
        '[click](javascript:alert(3))',
        '<a href="javascript:alert(4)">raw</a>',
        '<p style="color:red">styled</p>',
        '<style>body{}</style>',
        '<form><input value="phish"></form>',
        '<iframe src="https://example.com"></iframe>',
      ].join('\n\n'),
    ),
  );
  assert.equal(html.querySelectorAll('script, style, form, input, iframe').length, 0);
  assert.equal(html.querySelectorAll('[style]').length, 0);
  for (const el of html.querySelectorAll('*')) {
    for (const attr of el.getAttributeNames()) assert.ok(!attr.startsWith('on'), `no ${attr} handler`);
  }
  for (const a of html.querySelectorAll('a')) assert.ok(!/^javascript:/i.test(a.getAttribute('href') ?? ''));
  assert.match(html.textContent ?? '', /styled/);
});

test('raw HTML in agent output shows as text instead of being parsed', () => {
  const html = fragment(renderMarkdown('Use <kbd>Ctrl</kbd> and <b>this</b>.\n\n<div class="x">block</div>'));
  assert.equal(html.querySelector('kbd, b, div'), null);
  assert.match(html.textContent ?? '', /Use <kbd>Ctrl<\/kbd> and <b>this<\/b>\./);
  assert.match(html.textContent ?? '', /<div class="x">block<\/div>/);
});

test('setMarkdown skips re-parsing unchanged text and updates changed text', () => {
  const target = document.createElement('div');
  setMarkdown(target, 'one');
  const first = target.firstChild;
  setMarkdown(target, 'one');
  assert.equal(target.firstChild, first);
  setMarkdown(target, 'one two');
  assert.equal(target.textContent?.trim(), 'one two');
});
