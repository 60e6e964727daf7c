import type { ChildOutcome, Toolset } from '../tools/delegate.js';
import type { AgentSession } from './agent-session.js';

/** A delegated task's session while it runs, as a client may show it. */
export interface DelegatedChild {
  id: string;
  /** The session that delegated it. */
  parentId: string;
  /** The parent's `delegate` tool call that started it. */
  toolCallId: string;
  label: string;
  goal: string;
  toolset: Toolset;
  /** The child itself: its events, and `cancel()` to stop it alone. */
  session: AgentSession;
}

/**
 * Told when a delegated task's session starts (before its first prompt) and how it ended, so a
 * client can show children live and stop one. Lent by the client side through ClientBindings.
 */
export interface ChildSessionObserver {
  started(child: DelegatedChild): void;
  ended(childId: string, outcome: ChildOutcome): void;
}
