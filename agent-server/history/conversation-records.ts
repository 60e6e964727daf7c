import { summaryMessage } from '../core/compaction.js';
import type { ChatMessage } from '../core/messages.js';
import type { StoredRecord } from './types.js';

/**
 * The conversation to continue from stored records. A turn cut short (crash, kill) can
 * leave tool calls without results, which a model API refuses; they get a result saying so.
 */
export function conversationFromRecords(records: readonly StoredRecord[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  let open: { id: string; name: string }[] = [];
  const closeOpen = () => {
    for (const call of open) {
      out.push({
        role: 'tool',
        toolCallId: call.id,
        name: call.name,
        content: 'Not run: the session ended before this call finished.',
        isError: true,
      });
    }
    open = [];
  };
  for (const r of records) {
    if (r.type === 'compaction') {
      closeOpen();
      out.push(summaryMessage(r.summary));
      continue;
    }
    if (r.type !== 'message' || r.message.role === 'system') continue;
    const m = r.message;
    if (m.role === 'tool') {
      const i = open.findIndex((c) => c.id === m.toolCallId);
      if (i === -1) continue; // A result without its call would be rejected by the model API.
      open.splice(i, 1);
      out.push(m);
      continue;
    }
    closeOpen();
    out.push(m);
    if (m.role === 'assistant') open = (m.toolCalls ?? []).map((c) => ({ id: c.id, name: c.name }));
  }
  closeOpen();
  return out;
}
