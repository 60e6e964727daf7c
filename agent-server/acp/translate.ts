import type * as acp from '@agentclientprotocol/sdk';
import type { TurnEvent } from '../core/events.js';
import type { ChatMessage, UserContentPart } from '../core/messages.js';
import type { ToolContent } from '../core/tool-content.js';
import { cutToBudget, formatKB, type OutputBudget } from '../runtime/output-budget.js';

/** Cairn tool content → ACP tool-call content. */
export function toAcpToolContent(content: ToolContent): acp.ToolCallContent {
  switch (content.type) {
    case 'text':
      return { type: 'content', content: { type: 'text', text: content.text } };
    case 'diff':
      return { type: 'diff', path: content.path, oldText: content.oldText, newText: content.newText };
    case 'image':
      return { type: 'content', content: { type: 'image', mimeType: content.mimeType, data: content.data } };
    case 'terminal':
      return { type: 'terminal', terminalId: content.terminalId };
  }
}

/**
 * One turn event → the `session/update` the client should see, or undefined when it has
 * no ACP form (usage is reported once per turn; notices depend on client support).
 */
export function turnEventToUpdate(event: TurnEvent): acp.SessionUpdate | undefined {
  switch (event.type) {
    case 'text':
      return { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: event.delta } };
    case 'thought':
      return { sessionUpdate: 'agent_thought_chunk', content: { type: 'text', text: event.delta } };
    case 'tool_call':
      return {
        sessionUpdate: 'tool_call',
        toolCallId: event.toolCallId,
        title: event.title,
        kind: event.kind,
        status: 'pending',
        locations: event.locations.map((l) => ({ path: l.path, ...(l.line ? { line: l.line } : {}) })),
        rawInput: event.rawInput,
      };
    case 'tool_call_update':
      return {
        sessionUpdate: 'tool_call_update',
        toolCallId: event.toolCallId,
        ...(event.status ? { status: event.status } : {}),
        ...(event.title ? { title: event.title } : {}),
        ...(event.locations
          ? { locations: event.locations.map((l) => ({ path: l.path, ...(l.line ? { line: l.line } : {}) })) }
          : {}),
        ...(event.content ? { content: event.content.map(toAcpToolContent) } : {}),
        ...outcomeFields(event),
      };
    case 'plan':
      return { sessionUpdate: 'plan', entries: event.entries };
    case 'usage':
    case 'notice':
      return undefined;
  }
}

/**
 * rawOutput and `_meta` of a tool call update. A final update says how the call ended in
 * `_meta.cairn` (outcome and reason) and, when it did not complete, in `rawOutput` too, since
 * ACP's `failed` alone cannot tell rejected, failed and cancelled apart.
 */
function outcomeFields(
  event: Extract<TurnEvent, { type: 'tool_call_update' }>,
): Pick<acp.ToolCallUpdate, 'rawOutput' | '_meta'> {
  const { outcome, reason, rawOutput } = event;
  if (!outcome) return rawOutput !== undefined ? { rawOutput } : {};
  const said = { outcome, ...(reason ? { reason } : {}) };
  const _meta = { cairn: said };
  if (outcome === 'completed') return { ...(rawOutput !== undefined ? { rawOutput } : {}), _meta };
  const base =
    rawOutput === undefined
      ? {}
      : rawOutput !== null && typeof rawOutput === 'object' && !Array.isArray(rawOutput)
        ? rawOutput
        : { output: rawOutput };
  return { rawOutput: { ...base, ...said }, _meta };
}

/** A notice for clients without notice support: a visible line in the agent's message. */
export function noticeAsUpdate(
  severity: 'info' | 'warning' | 'error',
  message: string,
  clientSupportsNotices: boolean,
): acp.SessionUpdate {
  if (clientSupportsNotices) return { sessionUpdate: 'notice', severity, title: message };
  const mark = severity === 'error' ? '⛔' : severity === 'warning' ? '⚠️' : 'ℹ️';
  return {
    sessionUpdate: 'agent_message_chunk',
    content: { type: 'text', text: `\n> ${mark} ${message}\n\n` },
  };
}

/**
 * An embedded file's text within the tool-result budget (one rule for how much of a long text
 * the model reads); a cut one says where the whole file is.
 */
function embeddedText(text: string, where: string, budget: OutputBudget): string {
  const cut = cutToBudget(text, budget);
  if (!cut) return text;
  const o = cut.omitted;
  return cut.withNote(
    `[… ${o.lines.toLocaleString('en-US')} lines / ${formatKB(o.bytes)} of this file omitted (lines ${o.firstLine}–${o.lastLine}); ` +
      `read them with read_file ${JSON.stringify({ path: where, offset: o.firstLine })} …]`,
  );
}

function uriToPath(uri: string): string {
  if (uri.startsWith('file://')) {
    try {
      const url = new URL(uri);
      // A selection's line range (`#L2-3`) is part of what the user pointed at.
      const range = /^#L\d+(-L?\d+)?$/.test(url.hash) ? url.hash : '';
      return decodeURIComponent(url.pathname) + range;
    } catch {
      return uri;
    }
  }
  return uri;
}

/**
 * ACP prompt content → the user message the model sees. Embedded files are fenced with their
 * path, cut to `budget` (the configured `toolOutput`).
 */
export function promptToUserMessage(
  blocks: acp.ContentBlock[],
  budget: OutputBudget,
): Extract<ChatMessage, { role: 'user' }> {
  const parts: UserContentPart[] = [];
  const text: string[] = [];
  for (const block of blocks) {
    switch (block.type) {
      case 'text':
        text.push(block.text);
        break;
      case 'resource_link':
        text.push(`[@${block.name}](${uriToPath(block.uri)})`);
        break;
      case 'resource': {
        const res = block.resource;
        const where = uriToPath(res.uri);
        if ('text' in res) {
          text.push(`<context file="${where}">\n${embeddedText(res.text, where, budget)}\n</context>`);
        } else {
          text.push(`[binary attachment ${where} (${res.mimeType ?? 'unknown type'}) not shown]`);
        }
        break;
      }
      case 'image':
        parts.push({ type: 'image', mimeType: block.mimeType, data: block.data });
        break;
      case 'audio':
        text.push('[audio attachment not supported]');
        break;
    }
  }
  const joined = text.join('\n');
  if (!parts.length) return { role: 'user', content: joined };
  return { role: 'user', content: [{ type: 'text', text: joined }, ...parts] };
}
