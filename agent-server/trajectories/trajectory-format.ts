import { userText, type ChatMessage } from '../core/messages.js';
import type { SessionMeta, StoredRecord } from '../history/index.js';
import { LOADED_LEARNING_PREFIX } from '../learning/session-learning.js';

export type TrajectoryFormat = 'openai' | 'sharegpt';

export interface TrajectoryMeta {
  sessionId: string;
  title?: string;
  cwd: string;
  model?: string;
  createdAt: string;
  updatedAt: string;
  /** From a batch's results or a job's run, when known. */
  outcome?: string;
  tokens?: number;
  /** Set when `--compress` shortened tool outputs: estimated tokens before and after. */
  compressed?: { tokensBefore: number; tokensAfter: number; outputsCut: number };
}

/**
 * The messages of a stored session, in order; a compaction's summary becomes a system message.
 * Cairn's own bookkeeping (the record of memory and skills loaded) never reached the model: left out.
 */
export function messagesOf(records: readonly StoredRecord[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const r of records) {
    if (r.type === 'message') {
      if (r.message.role === 'system' && r.message.content.startsWith(LOADED_LEARNING_PREFIX)) continue;
      out.push(r.message);
    } else if (r.type === 'compaction')
      out.push({ role: 'system', content: `Summary of earlier turns:\n${r.summary}` });
  }
  return out;
}

export function metaOf(session: SessionMeta, extra: Partial<TrajectoryMeta> = {}): TrajectoryMeta {
  return {
    sessionId: session.id,
    ...(session.title ? { title: session.title } : {}),
    cwd: session.cwd,
    ...(session.model ? { model: session.model } : {}),
    createdAt: new Date(session.createdAt).toISOString(),
    updatedAt: new Date(session.updatedAt).toISOString(),
    ...extra,
  };
}

/** OpenAI chat messages: assistant `tool_calls`, each answered by a `tool` message with its id. */
function openAiMessages(messages: readonly ChatMessage[]): unknown[] {
  return messages.map((m) => {
    switch (m.role) {
      case 'system':
        return { role: 'system', content: m.content };
      case 'user':
        return { role: 'user', content: userText(m.content) };
      case 'assistant':
        return {
          role: 'assistant',
          content: m.content,
          ...(m.toolCalls?.length
            ? {
                tool_calls: m.toolCalls.map((c) => ({
                  id: c.id,
                  type: 'function',
                  function: { name: c.name, arguments: c.arguments },
                })),
              }
            : {}),
        };
      case 'tool':
        return { role: 'tool', tool_call_id: m.toolCallId, name: m.name, content: m.content };
    }
  });
}

/** ShareGPT: `conversations` of `{from, value}`; tool calls as `function_call`, results as `observation`. */
function shareGptTurns(messages: readonly ChatMessage[]): unknown[] {
  const turns: Array<{ from: string; value: string }> = [];
  for (const m of messages) {
    if (m.role === 'system') turns.push({ from: 'system', value: m.content });
    else if (m.role === 'user') turns.push({ from: 'human', value: userText(m.content) });
    else if (m.role === 'assistant') {
      if (m.content) turns.push({ from: 'gpt', value: m.content });
      for (const c of m.toolCalls ?? [])
        turns.push({
          from: 'function_call',
          value: JSON.stringify({ id: c.id, name: c.name, arguments: c.arguments }),
        });
    } else
      turns.push({
        from: 'observation',
        value: JSON.stringify({ id: m.toolCallId, content: m.content }),
      });
  }
  return turns;
}

/** Every string of the messages passed through `text` (the redactor), before anything is cut. */
export function cleanMessages(messages: readonly ChatMessage[], text: (s: string) => string): ChatMessage[] {
  return messages.map((m): ChatMessage => {
    switch (m.role) {
      case 'system':
        return { role: 'system', content: text(m.content) };
      case 'user':
        return { role: 'user', content: text(userText(m.content)) };
      case 'assistant':
        return {
          role: 'assistant',
          content: text(m.content),
          ...(m.toolCalls?.length
            ? { toolCalls: m.toolCalls.map((c) => ({ ...c, arguments: text(c.arguments) })) }
            : {}),
        };
      case 'tool':
        return { ...m, content: text(m.content) };
    }
  });
}

/** One JSONL line for a conversation whose messages and title are already clean. */
export function trajectoryLine(
  format: TrajectoryFormat,
  meta: TrajectoryMeta,
  messages: readonly ChatMessage[],
): string {
  const body =
    format === 'openai'
      ? { messages: openAiMessages(messages), metadata: meta }
      : { conversations: shareGptTurns(messages), metadata: meta };
  return JSON.stringify(body);
}
