/**
 * The text of a PDF, page by page, with pdf.js as unpdf ships it (no native parts, no network).
 * Loaded only when a PDF is fetched: pdf.js is large.
 */
export interface PdfText {
  title?: string;
  pages: string[];
}

export async function pdfText(body: Buffer): Promise<PdfText> {
  const { getDocumentProxy, extractText, getMeta } = await import('unpdf');
  // An untrusted document: pdf.js never compiles code from it (fonts are drawn without eval).
  const pdf = await getDocumentProxy(new Uint8Array(body), { isEvalSupported: false });
  try {
    const { text } = await extractText(pdf, { mergePages: false });
    const info = (await getMeta(pdf).catch(() => undefined))?.info as { Title?: unknown } | undefined;
    const title = typeof info?.Title === 'string' && info.Title.trim() ? info.Title.trim() : undefined;
    return { ...(title ? { title } : {}), pages: text.map((page) => page.trim()) };
  } finally {
    await pdf.destroy();
  }
}
