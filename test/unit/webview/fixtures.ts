// Protocol values shared by the webview tests.
import type { SessionNotification, SessionUpdate } from '@agentclientprotocol/sdk';
import type { HostState, ReadyResult } from '../../../shared/webview-protocol.js';

export const SESSION = 'sess-1';

export function hostState(overrides: Partial<HostState> = {}): HostState {
  return {
    activity: 'idle',
    sessionId: SESSION,
    sessionTitle: null,
    modes: null,
    configOptions: [],
    commands: [],
    exit: null,
    hasApiKey: true,
    canListSessions: true,
    canLoadSessions: true,
    embeddedContext: true,
    images: true,
    workspaceRoot: '/ws',
    queue: [],
    canSteer: false,
    canFork: false,
    canRename: false,
    ...overrides,
  };
}

export function note(update: SessionUpdate, sessionId = SESSION): SessionNotification {
  return { sessionId, update };
}

export function agentText(text: string, messageId?: string): SessionNotification {
  return note({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text }, messageId });
}

export function userText(text: string, messageId?: string): SessionNotification {
  return note({ sessionUpdate: 'user_message_chunk', content: { type: 'text', text }, messageId });
}

export function readyResult(overrides: Partial<ReadyResult> = {}): ReadyResult {
  return { state: hostState(), permissions: [], reviews: [], transcript: [], ...overrides };
}

/** A replayed conversation of `count` messages alternating user / agent. */
export function longTranscript(count: number): SessionNotification[] {
  const out: SessionNotification[] = [];
  for (let i = 0; i < count; i++) {
    out.push(
      i % 2 === 0
        ? userText(`Question ${i}`, `m${i}`)
        : agentText(`Answer **${i}** with \`code\` and a list:\n\n- one\n- two`, `m${i}`),
    );
  }
  return out;
}
