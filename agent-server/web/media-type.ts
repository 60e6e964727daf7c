/**
 * What a fetched body is, from its media type or first bytes, and its text. Light on purpose:
 * the HTML converter (linkedom, Readability, turndown) is loaded only when a page needs it.
 */
/** How a fetched body is turned into text for the model, decided from its media type. */
export type PageKind = 'html' | 'json' | 'text' | 'pdf';

export interface PageText {
  kind: PageKind;
  title?: string;
  text: string;
}

const TEXT_TYPES = new Set([
  'application/javascript',
  'application/ecmascript',
  'application/x-sh',
  'application/x-yaml',
  'application/yaml',
  'application/toml',
  'application/xml',
  'application/rss+xml',
  'application/atom+xml',
  'application/sql',
  'application/graphql',
]);

/** The media type without parameters, lower-cased (`text/html; charset=utf-8` → `text/html`). */
export function mediaType(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type ? type : undefined;
}

/**
 * What kind of page a media type is, or a sentence refusing it. An unknown type (none sent) is
 * read and sniffed from its first bytes.
 */
export function pageKind(contentType: string | undefined): PageKind | 'sniff' | { refused: string } {
  const type = mediaType(contentType);
  if (!type) return 'sniff';
  if (type === 'text/html' || type === 'application/xhtml+xml') return 'html';
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  if (type.startsWith('text/') || TEXT_TYPES.has(type) || type.endsWith('+xml')) return 'text';
  if (type === 'application/pdf' || type === 'application/x-pdf') return 'pdf';
  return {
    refused: `The URL serves ${type}, which is not text; web_fetch reads HTML, JSON, text and PDF only. Nothing was downloaded.`,
  };
}

/** Decodes a body with the charset the server (or, for HTML, the page's meta tag) names. */
export function decodeBody(body: Buffer, contentType: string | undefined, kind: PageKind): string {
  const declared = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType ?? '')?.[1];
  const meta =
    kind === 'html'
      ? /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(body.subarray(0, 4096).toString('latin1'))?.[1]
      : undefined;
  for (const label of [declared, meta, 'utf-8']) {
    if (!label) continue;
    try {
      return new TextDecoder(label).decode(body);
    } catch {
      // An unknown charset label: try the next.
    }
  }
  return body.toString('utf8');
}

/** For a body sent without a type: HTML, text, PDF, or (other binary) undefined. */
export function sniffKind(body: Buffer): PageKind | undefined {
  const head = body.subarray(0, 1024);
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  if (head.includes(0)) return undefined;
  const start = head.toString('utf8').trimStart().toLowerCase();
  if (start.startsWith('<!doctype html') || start.startsWith('<html')) return 'html';
  if (start.startsWith('{') || start.startsWith('[')) return 'json';
  return 'text';
}
