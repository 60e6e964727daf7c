import { pathToFileURL } from 'node:url';
import type { ContentBlock } from '@agentclientprotocol/sdk';
import type { ContextItem } from '../shared/webview-protocol.js';

export type PromptContentOptions = {
  /** The agent accepts embedded `resource` blocks (`promptCapabilities.embeddedContext`). */
  embeddedContext: boolean;
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

function longestBacktickRun(s: string): number {
  let best = 0;
  for (const m of s.matchAll(/`+/g)) best = Math.max(best, m[0].length);
  return best;
}
