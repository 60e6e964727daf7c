// Icons and words for ACP enums. Icons are plain glyphs (aria-hidden, themed
// by the text colour); the words carry the meaning for screen readers.
import type { PlanEntryStatus, ToolCallStatus, ToolKind } from '@agentclientprotocol/sdk';
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

export const STATUS_LABEL: Record<ToolCallStatus, string> = {
  pending: 'Pending',
  in_progress: 'Running',
  completed: 'Done',
  failed: 'Failed',
};

export const STATUS_ICON: Record<ToolCallStatus, string> = {
  pending: '○',
  in_progress: '◐',
  completed: '✓',
  failed: '✕',
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

/** A chip label for attached context: file name, plus lines for a selection. */
export function contextLabel(item: ContextItem): string {
  const name = baseName(item.relPath);
  if (item.kind === 'selection') {
    return item.startLine === item.endLine
      ? `${name}:${item.startLine}`
      : `${name}:${item.startLine}-${item.endLine}`;
  }
  return name;
}
