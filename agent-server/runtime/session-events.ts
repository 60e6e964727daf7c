import type { TurnEvent } from '../core/events.js';
import type { CheckpointListItem } from './checkpoint-views.js';
import type { QueuedPromptInfo } from './prompt-queue.js';

/** A slash command as a front end lists it. */
export interface CommandInfo {
  name: string;
  description: string;
  /** What to type after the name, shown as a hint. */
  hint?: string;
}

/**
 * What a live session reports to whoever drives it (the ACP adapter, `cairn run`, a job or
 * batch runner), in order. Transport-neutral: each front end translates them its own way.
 * The turn's own events pass through unchanged, except the per-request `usage`, which the
 * session sums up as one `usage` event after the turn.
 */
export type SessionEvent =
  | Exclude<TurnEvent, { type: 'usage' }>
  /** A slash command answered without calling the model. Not part of the conversation. */
  | { type: 'command_reply'; command: string; text: string }
  /** The session was (re)named; also in history. */
  | { type: 'title_changed'; title: string }
  /** The slash commands on offer changed (e.g. a skill was saved). */
  | { type: 'commands_changed'; commands: CommandInfo[] }
  /** Older turns are being summarised. */
  | { type: 'compaction_started'; compactionId: string }
  /** The conversation continues from `summary`, recorded in a new history session. */
  | { type: 'compacted'; compactionId: string; summary: string; historyId: string }
  | { type: 'compaction_failed'; compactionId: string; error: string }
  /** A prompt arrived while a turn ran: it waits, `position` in line (1 = next). */
  | { type: 'queued'; position: number }
  /** The prompts waiting for the running turn changed (one queued, started, withdrawn or cancelled). */
  | { type: 'queue_changed'; queued: QueuedPromptInfo[] }
  /** A message the user steered into the running turn reached the model (as a user message). */
  | { type: 'steered'; text: string }
  /** A steered message could not be delivered: the turn ended first (cancelled, failed, stopped). */
  | { type: 'steer_dropped'; text: string; reason: string }
  /** A checkpoint was recorded (a turn that changed files ended, or a restore ran): it can be restored. */
  | { type: 'checkpoint'; checkpoint: CheckpointListItem }
  /** Context in use after a turn; `estimated` when the model reported no usage. */
  | {
      type: 'usage';
      usedTokens: number;
      contextWindow: number;
      estimated: boolean;
      /** The session's cost so far in US dollars, when known. */
      costUsd?: number;
    };

export type SessionEventListener = (event: SessionEvent) => void;
