// The panel's state and the pure reducer that folds host messages into it.
// No DOM here: every transition is testable with plain objects. Items are
// immutable; a changed item is a new object, so views re-render only what
// changed by comparing references.
import type {
  ContentBlock,
  PlanEntry,
  SessionNotification,
  SessionUpdate,
  ToolCallContent,
  ToolCallLocation,
  ToolCallStatus,
  ToolKind,
  UsageUpdate,
} from '@agentclientprotocol/sdk';
import type {
  CheckpointInfo,
  ContextItem,
  HostNotifications,
  HostState,
  PermissionCard,
  ReadyResult,
  ReviewCard,
} from '../../../shared/webview-protocol.js';
import { readToolOutcome, type ToolCallOutcome } from '../../../shared/tool-outcome.js';
import { displayPath } from '../paths.js';
import { applyChildStatus, applyChildUpdate, restoreChildren, type ChildView } from './child-state.js';

export type ToolCallItem = {
  kind: 'tool';
  id: string;
  toolCallId: string;
  title: string;
  toolKind: ToolKind;
  status: ToolCallStatus;
  /** How the call ended, once it has: ACP's `failed` covers failed, rejected and cancelled. */
  outcome: ToolCallOutcome | null;
  /** Why it did not complete (the error), when the agent said. */
  reason: string | null;
  content: readonly ToolCallContent[];
  locations: readonly ToolCallLocation[];
  /** Bumped when something the card shows but does not own changes (terminal output). */
  revision: number;
  /** The call that sent the plan: the checklist above the composer shows it, not a card. */
  showsPlan?: true;
};

export type TranscriptItem =
  | {
      kind: 'user';
      id: string;
      text: string;
      context: readonly ContextItem[];
      messageId: string | null;
      /** Sent into a running turn (`/steer`) rather than as a turn of its own. */
      steered?: true;
    }
  | { kind: 'agent'; id: string; text: string; messageId: string | null }
  | { kind: 'thought'; id: string; text: string; messageId: string | null }
  | ToolCallItem
  | { kind: 'notice'; id: string; level: 'info' | 'warning' | 'error'; text: string };

export type TerminalOutput = HostNotifications['terminal/output'];

export type Notice = { id: string; level: 'info' | 'warning' | 'error'; message: string };

export type ChatState = {
  host: HostState | null;
  items: readonly TranscriptItem[];
  /** toolCallId → index into `items`. */
  toolIndex: ReadonlyMap<string, number>;
  plan: readonly PlanEntry[];
  usage: UsageUpdate | null;
  /** `session_info_update` title; falls back to the host's title. */
  title: string | null;
  permissions: readonly PermissionCard[];
  reviews: readonly ReviewCard[];
  terminals: Readonly<Record<string, TerminalOutput>>;
  /** Transient messages outside the transcript (dismissable). */
  notices: readonly Notice[];
  /** Counter for item ids: ids stay stable across re-renders and replays. */
  nextId: number;
  /** Delegated children of the session, by child session id (shown under their delegate call). */
  children: ReadonlyMap<string, ChildView>;
  /** The session's checkpoints, newest first (a user message with one offers a restore). */
  checkpoints: readonly CheckpointInfo[];
};

export type ChatAction =
  | { type: 'ready'; result: ReadyResult }
  | { type: 'dismissNotice'; id: string }
  | { type: 'localError'; message: string }
  | { [M in keyof HostNotifications]: { type: M; params: HostNotifications[M] } }[keyof HostNotifications];

export const initialChatState: ChatState = {
  host: null,
  items: [],
  toolIndex: new Map(),
  plan: [],
  usage: null,
  title: null,
  permissions: [],
  reviews: [],
  terminals: {},
  notices: [],
  nextId: 1,
  children: new Map(),
  checkpoints: [],
};

/** The session the transcript belongs to: updates for any other session are ignored. */
function currentSession(state: ChatState): string | null {
  return state.host?.sessionId ?? null;
}

function clearedTranscript(state: ChatState): ChatState {
  return {
    ...state,
    items: [],
    toolIndex: new Map(),
    plan: [],
    usage: null,
    title: null,
    terminals: {},
    children: new Map(),
    checkpoints: [],
  };
}

export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case 'ready': {
      const { result } = action;
      let next: ChatState = {
        ...clearedTranscript(state),
        host: result.state,
        permissions: result.permissions,
        reviews: result.reviews,
        checkpoints: result.checkpoints ?? [],
      };
      for (const notification of result.transcript) next = applySessionNotification(next, notification);
      next = restoreChildren(next, result.children ?? [], initialChatState, applySessionUpdate);
      return next;
    }
    case 'state':
      return { ...state, host: action.params };
    case 'session/update':
      return applySessionNotification(state, action.params);
    case 'chat/reset': {
      const host = state.host ? { ...state.host, sessionId: action.params.sessionId } : null;
      return { ...clearedTranscript(state), host };
    }
    case 'chat/userPrompt': {
      const { text, context, steered } = action.params;
      const [withId, id] = takeId(state);
      return appendItem(withId, {
        kind: 'user',
        id,
        text,
        context,
        messageId: null,
        ...(steered ? { steered: true as const } : {}),
      });
    }
    case 'chat/notice': {
      const current = currentSession(state);
      if (current !== null && action.params.sessionId !== current) return state;
      const [withId, id] = takeId(state);
      return appendItem(withId, { kind: 'notice', id, level: action.params.level, text: action.params.text });
    }
    case 'checkpoints': {
      const current = currentSession(state);
      if (current !== null && action.params.sessionId !== current) return state;
      return { ...state, checkpoints: action.params.checkpoints };
    }
    case 'turn/ended':
      return applyTurnEnded(state, action.params);
    case 'permission/requested':
      return {
        ...state,
        permissions: [
          ...state.permissions.filter((p) => p.requestId !== action.params.requestId),
          action.params,
        ],
      };
    case 'permission/resolved':
      return {
        ...state,
        permissions: state.permissions.filter((p) => p.requestId !== action.params.requestId),
      };
    case 'review/opened':
      return {
        ...state,
        reviews: [...state.reviews.filter((r) => r.reviewId !== action.params.reviewId), action.params],
      };
    case 'review/resolved':
      return { ...state, reviews: state.reviews.filter((r) => r.reviewId !== action.params.reviewId) };
    case 'terminal/output':
      return applyTerminalOutput(state, action.params);
    case 'notice':
      return addNotice(state, action.params.level, action.params.message);
    case 'child/status':
      return applyChildStatus(state, action.params, initialChatState);
    case 'child/update':
      return applyChildUpdate(state, action.params, applySessionUpdate);
    case 'localError':
      return addNotice(state, 'error', action.message);
    case 'dismissNotice':
      return { ...state, notices: state.notices.filter((n) => n.id !== action.id) };
    case 'composer/addContext':
    case 'composer/focus':
    case 'composer/setDraft':
      // Composer-local: handled by the composer view, not the transcript.
      return state;
  }
}

function takeId(state: ChatState): [ChatState, string] {
  return [{ ...state, nextId: state.nextId + 1 }, `i${state.nextId}`];
}

function appendItem(state: ChatState, item: TranscriptItem): ChatState {
  const items = [...state.items, item];
  if (item.kind !== 'tool') return { ...state, items };
  const toolIndex = new Map(state.toolIndex);
  toolIndex.set(item.toolCallId, items.length - 1);
  return { ...state, items, toolIndex };
}

function replaceItem(state: ChatState, index: number, item: TranscriptItem): ChatState {
  const items = state.items.slice();
  items[index] = item;
  return { ...state, items };
}

function addNotice(state: ChatState, level: Notice['level'], message: string): ChatState {
  const [withId, id] = takeId(state);
  // Keep the banner short: only the latest few notices matter.
  return { ...withId, notices: [...state.notices, { id, level, message }].slice(-3) };
}

export function applySessionNotification(state: ChatState, notification: SessionNotification): ChatState {
  const current = currentSession(state);
  if (current !== null && notification.sessionId !== current) return state;
  return applySessionUpdate(state, notification.update);
}

export function applySessionUpdate(state: ChatState, update: SessionUpdate): ChatState {
  switch (update.sessionUpdate) {
    case 'agent_message_chunk':
      return appendChunk(state, 'agent', update.content, update.messageId ?? null);
    case 'agent_thought_chunk':
      return appendChunk(state, 'thought', update.content, update.messageId ?? null);
    case 'user_message_chunk':
      return appendUserChunk(state, update.content, update.messageId ?? null);
    case 'tool_call':
      return upsertToolCall(state, update.toolCallId, {
        title: update.title,
        toolKind: update.kind,
        status: update.status,
        content: update.content,
        locations: update.locations,
        ...endedFields(update),
      });
    case 'tool_call_update':
      return upsertToolCall(state, update.toolCallId, {
        title: update.title ?? undefined,
        toolKind: update.kind ?? undefined,
        status: update.status ?? undefined,
        content: update.content ?? undefined,
        locations: update.locations ?? undefined,
        ...endedFields(update),
      });
    case 'plan':
      return markPlanCall({ ...state, plan: update.entries });
    case 'available_commands_update':
      return state.host ? { ...state, host: { ...state.host, commands: update.availableCommands } } : state;
    case 'current_mode_update': {
      const modes = state.host?.modes;
      if (!state.host || !modes) return state;
      return { ...state, host: { ...state.host, modes: { ...modes, currentModeId: update.currentModeId } } };
    }
    case 'config_option_update':
      return state.host ? { ...state, host: { ...state.host, configOptions: update.configOptions } } : state;
    case 'session_info_update':
      return update.title === undefined ? state : { ...state, title: update.title };
    case 'usage_update':
      return { ...state, usage: { used: update.used, size: update.size, cost: update.cost ?? null } };
    default:
      // notice / compaction updates and future kinds: not part of this panel yet.
      return state;
  }
}

/** Text for a content block inside a message; non-text blocks become a readable reference. */
export function blockText(block: ContentBlock): string {
  switch (block.type) {
    case 'text':
      return block.text;
    case 'resource_link':
      return `[${block.title ?? block.name}](${block.uri})`;
    case 'resource':
      return `\n\`${block.resource.uri}\`\n`;
    case 'image':
      return '[image]';
    case 'audio':
      return '[audio]';
  }
}

function appendChunk(
  state: ChatState,
  kind: 'agent' | 'thought',
  block: ContentBlock,
  messageId: string | null,
): ChatState {
  const text = blockText(block);
  const last = state.items[state.items.length - 1];
  if (last && last.kind === kind && sameMessage(last.messageId, messageId)) {
    return replaceItem(state, state.items.length - 1, { ...last, text: last.text + text });
  }
  const [withId, id] = takeId(state);
  return appendItem(withId, { kind, id, text, messageId });
}

function appendUserChunk(state: ChatState, block: ContentBlock, messageId: string | null): ChatState {
  const last = state.items[state.items.length - 1];
  // Replayed prompts carry attached files as resources: show them as context chips.
  const root = state.host?.workspaceRoot ?? null;
  const context: ContextItem[] =
    block.type === 'resource'
      ? [contextFromUri(block.resource.uri, root, 'text' in block.resource ? block.resource.text : '')]
      : block.type === 'resource_link'
        ? [contextFromUri(block.uri, root, '')]
        : [];
  const text = block.type === 'text' ? block.text : block.type === 'image' ? '[image]' : '';
  if (last && last.kind === 'user' && sameMessage(last.messageId, messageId)) {
    return replaceItem(state, state.items.length - 1, {
      ...last,
      text: last.text + text,
      context: [...last.context, ...context],
    });
  }
  const [withId, id] = takeId(state);
  return appendItem(withId, { kind: 'user', id, text, context, messageId });
}

/** A prompt resource back as the chip it was sent from: `file:///p#L3-L9` is a selection. */
export function contextFromUri(uri: string, workspaceRoot: string | null, text: string): ContextItem {
  const match = /^file:\/\/([^#]*)(?:#L(\d+)(?:-L(\d+))?)?$/.exec(uri);
  let path = uri;
  if (match) {
    try {
      path = decodeURIComponent(match[1] ?? '');
    } catch {
      path = match[1] ?? uri; // not percent-encoded after all: show it as sent
    }
  }
  const relPath = displayPath(path, workspaceRoot);
  const start = match?.[2] ? Number(match[2]) : null;
  if (start === null) return { kind: 'file', path, relPath };
  const end = match?.[3] ? Number(match[3]) : start;
  return { kind: 'selection', path, relPath, startLine: start, endLine: end, text };
}

// Chunks without ids belong to whatever message is streaming; with ids on
// both sides, a different id starts a new message.
function sameMessage(a: string | null, b: string | null): boolean {
  return a === null || b === null || a === b;
}

type ToolFields = {
  title?: string;
  toolKind?: ToolKind;
  status?: ToolCallStatus;
  outcome?: ToolCallOutcome | null;
  reason?: string | null;
  content?: ToolCallContent[];
  locations?: ToolCallLocation[];
};

/** The outcome fields an update sets: given with a final status, cleared by any other status. */
function endedFields(update: {
  status?: ToolCallStatus | null;
  rawOutput?: unknown;
  _meta?: unknown;
}): Pick<ToolFields, 'outcome' | 'reason'> {
  if (!update.status) return {};
  const ended = readToolOutcome(update);
  return { outcome: ended?.outcome ?? null, reason: ended?.reason ?? null };
}

function upsertToolCall(state: ChatState, toolCallId: string, fields: ToolFields): ChatState {
  const index = state.toolIndex.get(toolCallId);
  const existing = index === undefined ? undefined : state.items[index];
  if (index !== undefined && existing?.kind === 'tool') {
    // ACP: fields present in an update replace the previous values (content and locations included).
    return replaceItem(state, index, {
      ...existing,
      title: fields.title ?? existing.title,
      toolKind: fields.toolKind ?? existing.toolKind,
      status: fields.status ?? existing.status,
      outcome: fields.outcome !== undefined ? fields.outcome : existing.outcome,
      reason: fields.reason !== undefined ? fields.reason : existing.reason,
      content: fields.content ?? existing.content,
      locations: fields.locations ?? existing.locations,
    });
  }
  // An update for an unknown call (e.g. a replay that skipped the start) still gets a card.
  const [withId, id] = takeId(state);
  return appendItem(withId, {
    kind: 'tool',
    id,
    toolCallId,
    title: fields.title ?? 'Tool call',
    toolKind: fields.toolKind ?? 'other',
    status: fields.status ?? 'pending',
    outcome: fields.outcome ?? null,
    reason: fields.reason ?? null,
    content: fields.content ?? [],
    locations: fields.locations ?? [],
    revision: 0,
  });
}

/** Marks the running `think` call of this turn that sent the plan (Cairn's todo tool). */
function markPlanCall(state: ChatState): ChatState {
  for (let i = state.items.length - 1; i >= 0; i--) {
    const item = state.items[i]!;
    if (item.kind === 'user') break;
    if (item.kind !== 'tool' || item.toolKind !== 'think') continue;
    if (item.status !== 'pending' && item.status !== 'in_progress') continue;
    return item.showsPlan ? state : replaceItem(state, i, { ...item, showsPlan: true });
  }
  return state;
}

function applyTerminalOutput(state: ChatState, output: TerminalOutput): ChatState {
  const next: ChatState = { ...state, terminals: { ...state.terminals, [output.terminalId]: output } };
  // Cards that embed this terminal must redraw: give them a new identity.
  let items: TranscriptItem[] | null = null;
  state.items.forEach((item, index) => {
    if (item.kind !== 'tool') return;
    if (!item.content.some((c) => c.type === 'terminal' && c.terminalId === output.terminalId)) return;
    items ??= state.items.slice();
    items[index] = { ...item, revision: item.revision + 1 };
  });
  return items ? { ...next, items } : next;
}

function applyTurnEnded(state: ChatState, ended: HostNotifications['turn/ended']): ChatState {
  const current = currentSession(state);
  if (current !== null && ended.sessionId !== current) return state;
  const text = ended.error ?? stopReasonText(ended.stopReason);
  if (!text) return state;
  const [withId, id] = takeId(state);
  const level = ended.error ? 'error' : ended.stopReason === 'cancelled' ? 'info' : 'warning';
  return appendItem(withId, { kind: 'notice', id, level, text });
}

function stopReasonText(reason: HostNotifications['turn/ended']['stopReason']): string | null {
  switch (reason) {
    case 'cancelled':
      return 'Stopped.';
    case 'max_tokens':
      return 'The reply hit the model’s token limit.';
    case 'max_turn_requests':
      return 'The turn hit the maximum number of model requests. Send a message to continue.';
    case 'refusal':
      return 'The model refused to continue.';
    default:
      return null;
  }
}

/** True while a prompt turn runs (the Stop button shows, sending is disabled). */
export function isTurnRunning(state: ChatState): boolean {
  const activity = state.host?.activity;
  return activity === 'working' || activity === 'awaiting_approval';
}
