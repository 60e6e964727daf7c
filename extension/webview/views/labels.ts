// Icons and words for ACP enums. Icons are plain glyphs (aria-hidden, themed
// by the text colour); the words carry the meaning for screen readers.
import type { PlanEntryStatus, ToolKind } from '@agentclientprotocol/sdk';
import type { ToolCallOutcome } from '../../../shared/tool-outcome.js';
import type { ContextItem } from '../../../shared/webview-protocol.js';
import { baseName } from '../dom.js';

export const KIND_ICON: Record<ToolKind, string> = {
  read: '≡',
  edit: '✎',
  delete: '⌫',
  move: '⇄',
  search: '⌕',
  execute: '❯',
  think: '…',
  fetch: '⇣',
  switch_mode: '⇆',
  other: '•',
};

export const KIND_LABEL: Record<ToolKind, string> = {
  read: 'Read',
  edit: 'Edit',
  delete: 'Delete',
  move: 'Move',
  search: 'Search',
  execute: 'Run',
  think: 'Think',
  fetch: 'Fetch',
  switch_mode: 'Switch mode',
  other: 'Tool',
};

/**
 * What a tool card shows: the live status until the call ends, then how it ended (ACP's
 * `failed` covers failed, rejected and cancelled; the agent says which).
 */
export type CardStatus = 'pending' | 'in_progress' | ToolCallOutcome;

export const STATUS_LABEL: Record<CardStatus, string> = {
  // Cairn keeps a call pending only while it waits for the user's answer.
  pending: 'Waiting for approval',
  in_progress: 'Running',
  completed: 'Done',
  failed: 'Failed',
  rejected: 'Rejected',
  cancelled: 'Cancelled',
};

export const STATUS_ICON: Record<CardStatus, string> = {
  pending: '○',
  in_progress: '◐',
  completed: '✓',
  failed: '✕',
  rejected: '⊘',
  cancelled: '⊝',
};

export const PLAN_ICON: Record<PlanEntryStatus, string> = {
  pending: '☐',
  in_progress: '◐',
  completed: '☑',
};

export const PLAN_LABEL: Record<PlanEntryStatus, string> = {
  pending: 'to do',
  in_progress: 'in progress',
  completed: 'done',
};

export { displayPath } from '../paths.js';

/** A size as a chip shows it. */
export function sizeLabel(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * A chip label for attached context: file name (plus lines for a selection), `@reference` with
 * the size that will be sent (and "cut" when over its budget), the address, the image's name.
 */
export function contextLabel(item: ContextItem): string {
  switch (item.kind) {
    case 'selection': {
      const name = baseName(item.relPath);
      return item.startLine === item.endLine
        ? `${name}:${item.startLine}`
        : `${name}:${item.startLine}-${item.endLine}`;
    }
    case 'file':
      return baseName(item.relPath);
    case 'reference':
      return `@${item.label} · ${sizeLabel(item.bytes)}${item.note ? ' · cut' : ''}`;
    case 'url':
      return `@${item.url.replace(/^https?:\/\//, '')}`;
    case 'image':
      return `${item.name} · ${sizeLabel(item.bytes)}`;
  }
}

/** A chip's tooltip: the full path, address or budget note. */
export function contextTitle(item: ContextItem): string {
  switch (item.kind) {
    case 'file':
    case 'selection':
      return item.relPath;
    case 'reference':
      return item.note ? `@${item.label}: ${item.note} (its budget)` : `@${item.label}`;
    case 'url':
      return `${item.url} (read by the agent with web_fetch)`;
    case 'image':
      return `${item.name} (${item.mimeType})`;
  }
}
