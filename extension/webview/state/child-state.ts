// Delegated children of the current session: each one's status as the agent reported it and
// its own transcript, folded with the same reducer as the main one (passed in, so this module
// needs no runtime import of chat-state). A child's change redraws its delegate call's card.
import type { SessionNotification, SessionUpdate } from '@agentclientprotocol/sdk';
import type { DelegateChildNotification } from '../../../shared/delegation-protocol.js';
import type { DelegatedChildSnapshot } from '../../../shared/webview-protocol.js';
import type { ChatState } from './chat-state.js';

export type ChildView = {
  info: DelegateChildNotification;
  /** The child's own transcript (items, tool calls), as a chat state of its own. */
  transcript: ChatState;
};

type ApplyUpdate = (state: ChatState, update: SessionUpdate) => ChatState;

export function applyChildStatus(
  state: ChatState,
  info: DelegateChildNotification,
  emptyTranscript: ChatState,
): ChatState {
  const current = state.host?.sessionId ?? null;
  if (current !== null && info.sessionId !== current) return state;
  const children = new Map(state.children);
  const known = children.get(info.childSessionId);
  children.set(info.childSessionId, { info, transcript: known?.transcript ?? emptyTranscript });
  return redrawCall({ ...state, children }, info.toolCallId);
}

export function applyChildUpdate(state: ChatState, n: SessionNotification, apply: ApplyUpdate): ChatState {
  const child = state.children.get(n.sessionId);
  if (!child) return state;
  const transcript = apply(child.transcript, n.update);
  if (transcript === child.transcript) return state;
  const children = new Map(state.children);
  children.set(n.sessionId, { ...child, transcript });
  return redrawCall({ ...state, children }, child.info.toolCallId);
}

/** The children a reloaded panel gets from the host, folded in. */
export function restoreChildren(
  state: ChatState,
  snapshots: readonly DelegatedChildSnapshot[],
  emptyTranscript: ChatState,
  apply: ApplyUpdate,
): ChatState {
  let next = state;
  for (const { info, updates } of snapshots) {
    next = applyChildStatus(next, info, emptyTranscript);
    for (const update of updates)
      next = applyChildUpdate(next, { sessionId: info.childSessionId, update }, apply);
  }
  return next;
}

/** The children started by one `delegate` call, in the order they started. */
export function childrenOf(state: ChatState, toolCallId: string): ChildView[] {
  return [...state.children.values()].filter((c) => c.info.toolCallId === toolCallId);
}

/** The card of the delegate call shows its children: give it a new identity so it redraws. */
function redrawCall(state: ChatState, toolCallId: string): ChatState {
  const index = state.toolIndex.get(toolCallId);
  const item = index === undefined ? undefined : state.items[index];
  if (index === undefined || item?.kind !== 'tool') return state;
  const items = state.items.slice();
  items[index] = { ...item, revision: item.revision + 1 };
  return { ...state, items };
}
