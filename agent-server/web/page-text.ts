import { parseHTML } from 'linkedom';
import { Readability } from '@mozilla/readability';
import TurndownService from 'turndown';
import type { PageKind, PageText } from './media-type.js';

/** The page as the model reads it: HTML as readable Markdown, JSON pretty-printed, text as it is. */
export function pageText(source: string, kind: Exclude<PageKind, 'pdf'>, url: string): PageText {
  if (kind === 'json') {
    try {
      return { kind, text: JSON.stringify(JSON.parse(source), null, 2) };
    } catch {
      return { kind: 'text', text: source }; // cut or invalid: as sent
    }
  }
  if (kind === 'text') return { kind, text: source };
  return htmlToMarkdown(source, url);
}

/** Article-like pages lose their navigation and footers (Readability); others keep the whole body. */
function htmlToMarkdown(html: string, url: string): PageText {
  const { document } = parseHTML(html);
  absolutiseLinks(document, url);
  const pageTitle = document.querySelector('title')?.textContent?.trim() || undefined;
  // Readability changes the document it reads; the fallback needs the original body.
  const fallbackHtml = document.body?.innerHTML ?? html;
  let article: { title?: string | null; content?: string | null; textContent?: string | null } | null = null;
  try {
    article = new Readability(document as unknown as Document, { charThreshold: 200 }).parse();
  } catch {
    article = null; // Unusual markup: convert the whole body below.
  }
  const useArticle = article?.content && (article.textContent?.trim().length ?? 0) >= 200;
  const markdown = markdownOf(useArticle ? article!.content! : fallbackHtml);
  const title = (useArticle && article?.title?.trim()) || pageTitle;
  return { kind: 'html', ...(title ? { title } : {}), text: markdown };
}

function absolutiseLinks(document: ReturnType<typeof parseHTML>['document'], base: string): void {
  for (const [selector, attribute] of [
    ['a[href]', 'href'],
    ['img[src]', 'src'],
  ] as const) {
    for (const element of document.querySelectorAll(selector)) {
      const value = element.getAttribute(attribute);
      if (!value || value.startsWith('#')) continue;
      try {
        element.setAttribute(attribute, new URL(value, base).href);
      } catch {
        // Not a URL: leave it as written.
      }
    }
  }
}

let turndown: TurndownService | undefined;

function markdownOf(html: string): string {
  if (!turndown) {
    turndown = new TurndownService({ headingStyle: 'atx', codeBlockStyle: 'fenced', bulletListMarker: '-' });
    turndown.remove(['script', 'style', 'noscript', 'template', 'iframe', 'svg']);
  }
  return turndown
    .turndown(html)
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
