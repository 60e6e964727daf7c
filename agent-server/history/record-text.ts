import { userText } from '../core/messages.js';
import type { HistoryRecord, SearchRole } from './types.js';

/** Tool output past this is not indexed (it is still stored and read back whole). */
const MAX_TOOL_TEXT = 16_000;

/** The searchable role and text of a record; undefined when it is not searched. */
export function searchableText(record: HistoryRecord): { role: SearchRole; text: string } | undefined {
  if (record.type === 'compaction') return { role: 'assistant', text: record.summary };
  if (record.type !== 'message') return undefined;
  const m = record.message;
  switch (m.role) {
    case 'user':
      return { role: 'user', text: userText(m.content) };
    case 'assistant': {
      const parts = [m.content];
      if (m.reasoning) parts.push(m.reasoning);
      for (const call of m.toolCalls ?? []) parts.push(`${call.name} ${call.arguments}`);
      return { role: 'assistant', text: parts.filter(Boolean).join('\n') };
    }
    case 'tool':
      return {
        role: 'tool',
        text: m.content.length > MAX_TOOL_TEXT ? m.content.slice(0, MAX_TOOL_TEXT) : m.content,
      };
    case 'system':
      return undefined;
  }
}

/** The role column stored for a record (also what `role` filters match). */
export function recordRole(record: HistoryRecord): string {
  if (record.type === 'compaction') return 'assistant';
  return record.type === 'message' ? record.message.role : 'tool_call';
}
