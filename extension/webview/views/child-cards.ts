// The subagents of a delegate call, under its card: one row per child with its status and
// tool-call count, Stop while it runs, and its own transcript (tool cards and text, live) when
// expanded. Shown when the agent reported its children (Cairn's `_cairn/delegate/child`).
import type { DelegatedStatus } from '../../../shared/delegation-protocol.js';
import { h } from '../dom.js';
import type { ChildView } from '../state/child-state.js';
import type { ToolCallItem, TranscriptItem } from '../state/chat-state.js';

export type ChildCardContext = {
  children(toolCallId: string): ChildView[];
  stopChild(childSessionId: string): void;
  /** Opens an ended child's session in the panel on its own (from history). */
  openChild(childSessionId: string): void;
  /** One item of a child's transcript, drawn like the main transcript's; `cardId` is the delegate card's item. */
  renderChildItem(item: TranscriptItem, cardId: string): HTMLElement;
  isExpanded(itemId: string, byDefault: boolean): boolean;
  rememberExpanded(itemId: string, open: boolean): void;
  /** Redraws one item of the main transcript (the delegate card). */
  redraw(itemId: string): void;
};

const CHILD_STATUS: Record<DelegatedStatus, { icon: string; label: string }> = {
  running: { icon: '◐', label: 'Running' },
  done: { icon: '✓', label: 'Done' },
  failed: { icon: '✕', label: 'Failed' },
  cancelled: { icon: '⊝', label: 'Cancelled' },
  budget_exhausted: { icon: '✕', label: 'Out of budget' },
};

export function renderChildCards(item: ToolCallItem, ctx: ChildCardContext): HTMLElement | false {
  const children = ctx.children(item.toolCallId);
  if (children.length === 0) return false;
  return h(
    'ul',
    { className: 'delegate-children', attrs: { 'aria-label': 'Subagents' } },
    children.map((child) => renderChild(item, child, ctx)),
  );
}

function renderChild(card: ToolCallItem, child: ChildView, ctx: ChildCardContext): HTMLElement {
  const { info, transcript } = child;
  const key = `child-${info.childSessionId}`;
  const open = ctx.isExpanded(key, false);
  const status = CHILD_STATUS[info.status];
  const tools = transcript.items.filter((i): i is ToolCallItem => i.kind === 'tool');
  const count = `${tools.length} tool call${tools.length === 1 ? '' : 's'}`;
  // While it runs, what it does now: its latest tool call, or that it is writing.
  const step =
    info.status !== 'running'
      ? ''
      : transcript.items.at(-1)?.kind === 'agent'
        ? 'writing its answer'
        : (tools.at(-1)?.title ?? 'starting');
  const transcriptId = `child-out-${info.childSessionId}`;
  const toggle = h(
    'button',
    {
      className: 'child-toggle',
      attrs: {
        type: 'button',
        'data-key': `${key}-toggle`,
        'aria-expanded': String(open),
        'aria-controls': transcriptId,
        'aria-label': `${info.label}: ${status.label}, ${count}.${open ? ' Hide' : ' Show'} its transcript`,
      },
      on: {
        click: () => {
          ctx.rememberExpanded(key, !open);
          ctx.redraw(card.id);
        },
      },
    },
    [
      h('span', { className: 'child-label', text: info.label, attrs: { title: info.goal } }),
      h('span', { className: 'muted child-step', text: step ? `${step} · ${count}` : count }),
      h('span', { className: `child-status child-${info.status}`, attrs: { 'aria-hidden': 'true' } }, [
        `${status.icon} ${status.label}`,
      ]),
    ],
  );
  return h(
    'li',
    {
      className: `child-card child-${info.status}`,
      attrs: {
        'data-child-id': info.childSessionId,
        'aria-label': `Subagent ${info.label}, ${status.label}`,
      },
    },
    [
      h('div', { className: 'child-header' }, [
        toggle,
        info.status === 'running' &&
          h('button', {
            className: 'secondary child-stop',
            text: 'Stop',
            attrs: { type: 'button', 'data-key': `${key}-stop`, 'aria-label': `Stop ${info.label}` },
            on: { click: () => ctx.stopChild(info.childSessionId) },
          }),
        info.status !== 'running' &&
          h('button', {
            className: 'link-button child-open',
            text: 'Open',
            attrs: {
              type: 'button',
              'data-key': `${key}-open`,
              'aria-label': `Open the session of ${info.label}`,
              title: 'Open this subagent’s session on its own',
            },
            on: { click: () => ctx.openChild(info.childSessionId) },
          }),
      ]),
      open &&
        h(
          'div',
          {
            className: 'child-transcript',
            attrs: { id: transcriptId, 'aria-label': `Transcript of ${info.label}` },
          },
          transcript.items.length > 0
            ? // Item ids are the child's own: made unique in the panel (expanded state is kept by id).
              transcript.items.map((i) =>
                ctx.renderChildItem({ ...i, id: `${info.childSessionId}/${i.id}` }, card.id),
              )
            : [h('p', { className: 'muted', text: 'Nothing yet.' })],
        ),
    ],
  );
}
