import type { ChatRequestBody, ScriptStep } from '../../../agent-server/demo/scripted-model-server.js';

/** Helpers for scripted-model tests of delegation: which request is a child's, and what it holds. */

export const CHILD_MARK = 'subagent working on one delegated task';

export function isChild(body: ChatRequestBody): boolean {
  const system = body.messages[0] as { content?: unknown };
  return typeof system.content === 'string' && system.content.includes(CHILD_MARK);
}

export function systemText(body: ChatRequestBody): string {
  return String((body.messages[0] as { content?: unknown }).content);
}

export function firstUser(body: ChatRequestBody): string {
  const m = body.messages.find((x) => (x as { role: string }).role === 'user') as { content: string };
  return m.content;
}

export function lastRole(body: ChatRequestBody): string {
  return (body.messages.at(-1) as { role: string }).role;
}

/** The text of the last message (a tool result the model reads). */
export function lastText(body: ChatRequestBody): string {
  return JSON.stringify(body.messages.at(-1));
}

export function toolNames(body: ChatRequestBody): string[] {
  return (body.tools ?? []).map((x) => x.function.name);
}

export function delegateCall(tasks: Record<string, unknown>[]): ScriptStep {
  return { toolCalls: [{ name: 'delegate', arguments: { tasks } }] };
}
