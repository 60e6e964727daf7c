import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ToolContent } from '../core/tool-content.js';

type Block = CallToolResult['content'][number];

/**
 * Characters of an MCP result the model reads (≈ 25k tokens). Servers can return whole files or
 * database dumps; past this the middle is cut so one call cannot fill the context window.
 */
export const MAX_RESULT_CHARS_FOR_MODEL = 100_000;

function capForModel(text: string): string {
  if (text.length <= MAX_RESULT_CHARS_FOR_MODEL) return text;
  const head = Math.floor(MAX_RESULT_CHARS_FOR_MODEL * 0.6);
  const tail = MAX_RESULT_CHARS_FOR_MODEL - head;
  const omitted = text.length - head - tail;
  return `${text.slice(0, head)}\n\n[… ${omitted} characters of this MCP result omitted. Call the tool with narrower arguments (a smaller range, a filter, a page) to see them.]\n\n${text.slice(-tail)}`;
}

function sizeOfBase64(data: string): string {
  const bytes = Math.floor((data.length * 3) / 4);
  return bytes < 1024 ? `${bytes} bytes` : `${Math.round(bytes / 102.4) / 10} KB`;
}

/** One MCP content block as the model reads it and as the client shows it. */
function mapBlock(block: Block): { text: string; content: ToolContent } {
  switch (block.type) {
    case 'text':
      return { text: block.text, content: { type: 'text', text: block.text } };
    case 'image':
      return {
        text: `[${block.mimeType} image, ${sizeOfBase64(block.data)}, shown to the user]`,
        content: { type: 'image', mimeType: block.mimeType, data: block.data },
      };
    case 'audio': {
      const text = `[${block.mimeType} audio, ${sizeOfBase64(block.data)}; audio is not shown]`;
      return { text, content: { type: 'text', text } };
    }
    case 'resource': {
      const r = block.resource;
      const text =
        'text' in r && typeof r.text === 'string'
          ? `Resource ${r.uri}${r.mimeType ? ` (${r.mimeType})` : ''}:\n${r.text}`
          : `Resource ${r.uri}${r.mimeType ? ` (${r.mimeType})` : ''}: binary, ${sizeOfBase64('blob' in r ? r.blob : '')}`;
      return { text, content: { type: 'text', text } };
    }
    case 'resource_link': {
      const about = [block.name, block.description].filter(Boolean).join(': ');
      const text = `Resource link ${block.uri}${about ? ` (${about})` : ''}`;
      return { text, content: { type: 'text', text } };
    }
    default: {
      const text = JSON.stringify(block);
      return { text, content: { type: 'text', text } };
    }
  }
}

/** An MCP tool result as Cairn's two views: what the model reads, and rich content for the client. */
export function mapCallResult(result: CallToolResult): { forModel: string; content: ToolContent[] } {
  const mapped = (result.content ?? []).map(mapBlock);
  const texts = mapped.map((m) => m.text);
  if (result.structuredContent !== undefined && texts.length === 0) {
    texts.push(JSON.stringify(result.structuredContent, null, 2));
  }
  return {
    forModel: capForModel(texts.join('\n')) || '(the tool returned no content)',
    content: mapped.map((m) => m.content),
  };
}
