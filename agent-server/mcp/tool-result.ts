import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ToolContent } from '../core/tool-content.js';

type Block = CallToolResult['content'][number];

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
    // Whole: the tool runner cuts what the model reads (and saves the rest), as for every tool.
    forModel: texts.join('\n') || '(the tool returned no content)',
    content: mapped.map((m) => m.content),
  };
}
