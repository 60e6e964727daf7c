import { pathToFileURL } from 'node:url';
import type { ContentBlock } from '@agentclientprotocol/sdk';
import type { ContextItem } from '../shared/webview-protocol.js';
import { REFERENCE_BUDGET_BYTES, formatSize } from './context/budget.js';
import { filesNamedIn } from './context/folder.js';

export type PromptContentOptions = {
  /** The agent accepts embedded `resource` blocks (`promptCapabilities.embeddedContext`). */
  embeddedContext: boolean;
  /** The agent accepts image blocks (`promptCapabilities.image`). */
  images: boolean;
  /** Reads a mentioned file's current text (open document first, then disk). */
  readText: (path: string) => Promise<string>;
};

/** File URI for a location, with an `#L<start>-L<end>` fragment for a selection. */
export function fileUri(path: string, lines?: { start: number; end: number }): string {
  const uri = pathToFileURL(path).href;
  return lines ? `${uri}#L${lines.start}-L${lines.end}` : uri;
}

/**
 * The ACP prompt for a message and its context: the text first, then each `@file` mention and
 * selection as resource content (embedded when the agent takes it, else a link or plain text).
 */
export async function promptBlocks(
  text: string,
  context: ContextItem[],
  options: PromptContentOptions,
): Promise<ContentBlock[]> {
  const blocks: ContentBlock[] = [{ type: 'text', text }];
  for (const item of context) {
    if (item.kind === 'file') {
      const uri = fileUri(item.path);
      if (options.embeddedContext) {
        const body = await options.readText(item.path);
        blocks.push({ type: 'resource', resource: { uri, text: body, mimeType: 'text/plain' } });
      } else {
        blocks.push({ type: 'resource_link', uri, name: item.relPath });
      }
    } else if (item.kind === 'reference') {
      blocks.push({ type: 'text', text: await referenceText(item, text, options) });
    } else if (item.kind === 'url') {
      // Read by the agent's own web_fetch, so the same permission and address rules apply.
      blocks.push({
        type: 'text',
        text: `The user attached the web page ${item.url}: read it with web_fetch before answering.`,
      });
    } else if (item.kind === 'image') {
      blocks.push(
        options.images
          ? { type: 'image', mimeType: item.mimeType, data: item.data }
          : {
              type: 'text',
              text: `[The user attached the image ${item.name}; it was not sent: ${NO_IMAGES}]`,
            },
      );
    } else {
      const uri = fileUri(item.path, { start: item.startLine, end: item.endLine });
      if (options.embeddedContext) {
        blocks.push({ type: 'resource', resource: { uri, text: item.text, mimeType: 'text/plain' } });
      } else {
        // Every agent takes text; the fence keeps the selection apart from the message.
        const fence = '`'.repeat(Math.max(3, longestBacktickRun(item.text) + 1));
        blocks.push({
          type: 'text',
          text: `${item.relPath} lines ${item.startLine}-${item.endLine}:\n${fence}${item.languageId ?? ''}\n${item.text}\n${fence}`,
        });
      }
    }
  }
  return blocks;
}

const NO_IMAGES = 'this agent does not accept images.';

/** What to tell the user when images they attached cannot be sent, or null. */
export function imageNotice(context: readonly ContextItem[], images: boolean): string | null {
  const names = context.filter((c) => c.kind === 'image').map((c) => c.name);
  if (images || names.length === 0) return null;
  return `${names.join(', ')} ${names.length === 1 ? 'was' : 'were'} not sent: ${NO_IMAGES} The model was told an image was attached.`;
}

/**
 * A gathered reference as the model reads it. An `@folder` brings its tree, then the files the
 * prompt names, whole, while they fit the reference's budget.
 */
async function referenceText(
  item: Extract<ContextItem, { kind: 'reference' }>,
  prompt: string,
  options: PromptContentOptions,
): Promise<string> {
  const parts = [item.text];
  if (item.ref === 'folder' && item.path && item.files) {
    let left = REFERENCE_BUDGET_BYTES - item.bytes;
    const skipped: string[] = [];
    for (const file of filesNamedIn(prompt, item.files, item.path).slice(0, 20)) {
      let body: string;
      try {
        body = await options.readText(file);
      } catch {
        continue; // Gone since the tree was taken: the tree still lists it.
      }
      const size = Buffer.byteLength(body, 'utf8');
      if (size > left) {
        skipped.push(`${file} (${formatSize(size)})`);
        continue;
      }
      left -= size;
      parts.push(`<file path="${file}">\n${body}\n</file>`);
    }
    if (skipped.length)
      parts.push(`[Not included, over the budget: ${skipped.join(', ')}; read them with read_file.]`);
  }
  return `<context source="@${item.label}">\n${parts.join('\n\n')}\n</context>`;
}

function longestBacktickRun(s: string): number {
  let best = 0;
  for (const m of s.matchAll(/`+/g)) best = Math.max(best, m[0].length);
  return best;
}
