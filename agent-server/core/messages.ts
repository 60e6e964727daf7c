/** The conversation as the loop and the model see it: provider-neutral, JSON-serialisable. */

export interface ToolCallRequest {
  id: string;
  name: string;
  /** Raw JSON text as the model produced it; parsed and validated by the loop. */
  arguments: string;
}

export interface ImagePart {
  type: 'image';
  mimeType: string;
  /** base64 data */
  data: string;
}

export interface TextPart {
  type: 'text';
  text: string;
}

export type UserContentPart = TextPart | ImagePart;

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | UserContentPart[] }
  | { role: 'assistant'; content: string; reasoning?: string; toolCalls?: ToolCallRequest[] }
  | { role: 'tool'; toolCallId: string; name: string; content: string; isError?: boolean };

/** Plain text of a user message, for titles, history and search. */
export function userText(content: string | UserContentPart[]): string {
  if (typeof content === 'string') return content;
  return content
    .filter((p): p is TextPart => p.type === 'text')
    .map((p) => p.text)
    .join('\n');
}
