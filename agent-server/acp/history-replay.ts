import type * as acp from '@agentclientprotocol/sdk';
import type { ChatMessage } from '../core/messages.js';
import type { StoredRecord, StoredToolCall } from '../history/index.js';
import { toAcpToolContent } from './translate.js';

/**
 * Stored records → the `session/update`s that show a loaded session as it was: user and agent
 * chunks, thoughts, and each tool call once, in its final state. Pure, so `session/load`
 * replays exactly what this returns.
 */
export function replayUpdates(
  records: readonly StoredRecord[],
  client: { compaction: boolean } = { compaction: false },
): acp.SessionUpdate[] {
  const out: acp.SessionUpdate[] = [];
  // Messages a compaction copied from the session it continues: already shown from there.
  let carried = 0;
  // Calls the model made whose final state was never stored (the process died mid-turn).
  let unshown = new Map<string, { name: string; arguments: string }>();
  const showUnfinished = () => {
    for (const [id, call] of unshown) out.push(unfinishedCall(id, call.name, call.arguments));
    unshown = new Map();
  };
  for (const r of records) {
    if (r.type === 'compaction') {
      showUnfinished();
      out.push(compactionUpdate(r.summary, r.ord, client.compaction));
      carried = r.carried;
      continue;
    }
    if (carried > 0 && r.type === 'message') {
      carried--;
      continue;
    }
    if (r.type === 'tool_call') {
      unshown.delete(r.toolCall.toolCallId);
      out.push(toolCallUpdate(r.toolCall));
      continue;
    }
    const m = r.message;
    if (m.role === 'tool' || m.role === 'system') continue;
    showUnfinished();
    if (m.role === 'user') out.push(...userChunks(m));
    else {
      if (m.reasoning)
        out.push({ sessionUpdate: 'agent_thought_chunk', content: { type: 'text', text: m.reasoning } });
      if (m.content)
        out.push({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: m.content } });
      for (const c of m.toolCalls ?? []) unshown.set(c.id, { name: c.name, arguments: c.arguments });
    }
  }
  showUnfinished();
  return out;
}

/** A compaction as the client saw it live: its own update where supported, else a line of text. */
export function compactionUpdate(
  summary: string,
  id: number | string,
  supported: boolean,
): acp.SessionUpdate {
  if (supported) {
    return {
      sessionUpdate: 'compaction_update',
      compactionId: String(id),
      status: 'completed',
      summary: [{ type: 'text', text: summary }],
    };
  }
  return {
    sessionUpdate: 'agent_message_chunk',
    content: {
      type: 'text',
      text: '\n> ℹ️ The earlier conversation was summarised to free context; the session continues from the summary.\n\n',
    },
  };
}

function userChunks(m: Extract<ChatMessage, { role: 'user' }>): acp.SessionUpdate[] {
  if (typeof m.content === 'string') {
    return m.content
      ? [{ sessionUpdate: 'user_message_chunk', content: { type: 'text', text: m.content } }]
      : [];
  }
  return m.content.map((part) =>
    part.type === 'text'
      ? { sessionUpdate: 'user_message_chunk' as const, content: { type: 'text' as const, text: part.text } }
      : {
          sessionUpdate: 'user_message_chunk' as const,
          content: { type: 'image' as const, mimeType: part.mimeType, data: part.data },
        },
  );
}

function toolCallUpdate(call: StoredToolCall): acp.SessionUpdate {
  return {
    sessionUpdate: 'tool_call',
    toolCallId: call.toolCallId,
    title: call.title,
    kind: call.kind,
    status: call.status,
    content: call.content.map(toAcpToolContent),
    locations: call.locations.map((l) => ({ path: l.path, ...(l.line ? { line: l.line } : {}) })),
    ...(call.rawInput !== undefined ? { rawInput: call.rawInput } : {}),
  };
}

function unfinishedCall(toolCallId: string, name: string, args: string): acp.SessionUpdate {
  let rawInput: unknown = args;
  try {
    rawInput = JSON.parse(args);
  } catch {
    // Shown as the model wrote it.
  }
  return {
    sessionUpdate: 'tool_call',
    toolCallId,
    title: name,
    kind: 'other',
    status: 'failed',
    content: [
      {
        type: 'content',
        content: { type: 'text', text: 'Did not finish: the session ended during this call.' },
      },
    ],
    rawInput,
  };
}
