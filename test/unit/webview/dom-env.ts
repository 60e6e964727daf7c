/// <reference types="node" />
// A jsdom page for webview tests. Imported first by every DOM test so the
// webview modules see `window` and `document` as they do in VS Code.
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body><div id="app"></div></body></html>', {
  pretendToBeVisual: true,
  url: 'https://webview.invalid/',
});

const globals = globalThis as unknown as Record<string, unknown>;
globals.window = dom.window;
globals.document = dom.window.document;
for (const name of [
  'HTMLElement',
  'Element',
  'Node',
  'Event',
  'KeyboardEvent',
  'MouseEvent',
  'MessageEvent',
]) {
  globals[name] ??= (dom.window as unknown as Record<string, unknown>)[name];
}

export const jsdomWindow = dom.window;

/** A fresh, empty #app root. */
export function freshRoot(): HTMLElement {
  document.body.replaceChildren();
  const root = document.createElement('div');
  root.id = 'app';
  document.body.append(root);
  return root;
}
