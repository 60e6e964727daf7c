// Markdown → sanitised HTML. marked renders (raw HTML in the source is shown
// as text), highlight.js colours code blocks (class names only, so the strict
// CSP needs no inline styles), and DOMPurify removes anything executable that
// Markdown itself can express, such as javascript: links. Streaming re-renders
// the whole message text: marked copes with an unterminated code fence.
import { Marked, type Tokens } from 'marked';
import DOMPurify, { type DOMPurify as Purifier } from 'dompurify';
import hljs from 'highlight.js/lib/common';

const marked = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    // Raw HTML in agent output is shown as text, never parsed: the agent's
    // output is untrusted, and even a blocked inline style would be reported
    // as a CSP violation when the sanitiser parses it.
    html({ text }: Tokens.HTML | Tokens.Tag): string {
      return escapeHtml(text);
    },
    code({ text, lang }: Tokens.Code): string {
      const language = (lang ?? '').trim().split(/\s+/)[0]?.toLowerCase() ?? '';
      const known = language !== '' && hljs.getLanguage(language) !== undefined;
      const body = known ? hljs.highlight(text, { language, ignoreIllegals: true }).value : escapeHtml(text);
      const label = known ? ` data-lang="${escapeHtml(language)}"` : '';
      return `<pre class="code-block"${label}><code class="hljs${known ? ` language-${escapeHtml(language)}` : ''}">${body}</code></pre>\n`;
    },
  },
});

let purifier: Purifier | undefined;

// Created on first use from the page's window, so the module can be imported
// before a DOM exists (tests install jsdom first, the webview always has one).
function purify(): Purifier {
  purifier ??= DOMPurify(window);
  return purifier;
}

const SANITIZE_OPTIONS = {
  // No style attributes or elements: the CSP forbids inline styles anyway,
  // and forms/inputs in agent output would only be confusing or phishy.
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe'],
  FORBID_ATTR: ['style'],
  ALLOW_DATA_ATTR: false,
  ADD_ATTR: ['data-lang'],
};

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Renders Markdown to an HTML string that is safe to assign to innerHTML. */
export function renderMarkdown(source: string): string {
  const html = marked.parse(source, { async: false });
  return purify().sanitize(html, SANITIZE_OPTIONS);
}

/** Renders `source` into `target`, skipping the work when nothing changed. */
export function setMarkdown(target: HTMLElement, source: string): void {
  if (rendered.get(target) === source) return;
  target.innerHTML = renderMarkdown(source);
  rendered.set(target, source);
}

const rendered = new WeakMap<HTMLElement, string>();
