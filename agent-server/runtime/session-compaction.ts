import { randomUUID } from 'node:crypto';
import { splitForCompaction, summarise, summaryMessage } from '../core/compaction.js';
import type { Conversation } from '../core/conversation.js';
import type { ModelClient } from '../core/model-client.js';
import type { SessionEvent } from './session-events.js';
import type { SessionRecording } from './session-recording.js';

export interface CompactionInput {
  conversation: Conversation;
  model: ModelClient;
  recording: SessionRecording | undefined;
  cwd: string;
  title?: string;
  modelId?: string;
  emit: (event: SessionEvent) => void;
}

/**
 * Summarises the older turns with the model and continues in a child session in history,
 * linked to the current one. The live session keeps its id; only the history it writes to
 * changes. Returns what to tell the user.
 */
export async function compactConversation(input: CompactionInput): Promise<string> {
  const { conversation, recording, emit } = input;
  if (!recording) return 'This session is not recorded, so it cannot be compacted.';
  await recording.flush();
  const { older, kept } = splitForCompaction(conversation.messages);
  if (!older.length) return 'Nothing to compact yet: the conversation is only its latest turns.';
  const compactionId = randomUUID();
  emit({ type: 'compaction_started', compactionId });
  let summary: string;
  try {
    summary = await summarise(input.model, older, new AbortController().signal);
  } catch (err) {
    const message = (err as Error).message;
    emit({ type: 'compaction_failed', compactionId, error: message });
    return `Compaction failed: ${message}`;
  }
  const store = recording.store;
  const childId = randomUUID();
  await store.createSession({
    id: childId,
    cwd: input.cwd,
    parentId: recording.historyId,
    ...(input.title ? { title: input.title } : {}),
    ...(input.modelId ? { model: input.modelId } : {}),
  });
  // Issued together so they share fsyncs; the journal keeps call order.
  await Promise.all([
    store.append(childId, { type: 'compaction', summary, carried: kept.length }),
    ...kept.map((message) => store.append(childId, { type: 'message', message })),
  ]);
  conversation.replace([summaryMessage(summary), ...kept]);
  recording.moveTo(childId);
  emit({ type: 'compacted', compactionId, summary, historyId: childId });
  return `Compacted ${older.length} earlier messages into a summary; the latest ${kept.length} are kept as they were.`;
}
