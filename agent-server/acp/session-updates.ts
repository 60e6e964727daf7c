import type * as acp from '@agentclientprotocol/sdk';
import type { CommandInfo, SessionEvent } from '../runtime/session-events.js';
import { compactionUpdate } from './history-replay.js';
import { noticeAsUpdate, turnEventToUpdate } from './translate.js';

/** What the client said it can show (from `initialize`). */
export interface ClientSupports {
  compaction: boolean;
  notices: boolean;
}

/** The session's commands in ACP's shape. */
export function availableCommands(commands: readonly CommandInfo[]): acp.AvailableCommand[] {
  return commands.map((c) => ({
    name: c.name,
    description: c.description,
    ...(c.hint ? { input: { hint: c.hint } } : {}),
  }));
}

/**
 * One session event → the `session/update` the client should see, or undefined when it has
 * none for this client (e.g. a compaction starting, for a client without compaction updates).
 */
export function sessionEventToUpdate(
  event: SessionEvent,
  supports: ClientSupports,
  now: () => Date = () => new Date(),
): acp.SessionUpdate | undefined {
  switch (event.type) {
    case 'notice':
      return noticeAsUpdate(event.severity, event.message, supports.notices);
    case 'command_reply':
      return { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: event.text } };
    case 'title_changed':
      return { sessionUpdate: 'session_info_update', title: event.title, updatedAt: now().toISOString() };
    case 'commands_changed':
      return {
        sessionUpdate: 'available_commands_update',
        availableCommands: availableCommands(event.commands),
      };
    case 'compaction_started':
      return supports.compaction
        ? { sessionUpdate: 'compaction_update', compactionId: event.compactionId, status: 'in_progress' }
        : undefined;
    case 'compacted':
      return compactionUpdate(event.summary, event.compactionId, supports.compaction);
    case 'compaction_failed':
      return supports.compaction
        ? {
            sessionUpdate: 'compaction_update',
            compactionId: event.compactionId,
            status: 'failed',
            error: event.error,
          }
        : noticeAsUpdate('error', event.error, supports.notices);
    case 'queued':
      // Told only where it cannot land inside the running turn's answer.
      return supports.notices
        ? noticeAsUpdate('info', `Queued (${event.position} waiting): runs when the current turn ends.`, true)
        : undefined;
    case 'queue_changed':
      // Told with the `_cairn/queue` notification instead (see agent.ts).
      return undefined;
    case 'checkpoint':
      // Told with the `_cairn/checkpoint` notification instead (checkpoint-requests.ts).
      return undefined;
    case 'steered':
      return supports.notices
        ? noticeAsUpdate('info', `Steered: the model sees your message now — ${event.text}`, true)
        : undefined;
    case 'steer_dropped':
      // Said even inside an answer: the user must know the model never saw it.
      return noticeAsUpdate('warning', `Not delivered (${event.reason}): ${event.text}`, supports.notices);
    case 'usage':
      return {
        sessionUpdate: 'usage_update',
        used: event.usedTokens,
        size: event.contextWindow,
        ...(event.costUsd !== undefined ? { cost: { amount: event.costUsd, currency: 'USD' } } : {}),
      };
    default:
      return turnEventToUpdate(event);
  }
}
