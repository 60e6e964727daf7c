// A tool call as a card: kind icon, title, status, file locations that open
// the file at the line, and collapsible output (text, diff summary, terminal).
import type { ToolCallContent, ToolCallLocation } from '@agentclientprotocol/sdk';
import type { ReviewCard } from '../../../shared/webview-protocol.js';
import { baseName, h } from '../dom.js';
import { diffChanges, formatChanges } from '../diff-summary.js';
import type { TerminalOutput, ToolCallItem } from '../state/chat-state.js';
import { blockText } from '../state/chat-state.js';
import { KIND_ICON, KIND_LABEL, STATUS_ICON, STATUS_LABEL, displayPath, type CardStatus } from './labels.js';
import {
  type CommandRun,
  commandRunOf,
  exitBadge,
  renderTerminalBlock,
  renderTerminalPreview,
} from './terminal-block.js';
import { type ChildCardContext, renderChildCards } from './child-cards.js';

/** What cards need from the rest of the panel (a delegate card also draws its subagents). */
export type CardContext = ChildCardContext & {
  workspaceRoot: string | null;
  terminal(terminalId: string): TerminalOutput | undefined;
  /** The pending edit review for a tool call, if any. */
  reviewFor(toolCallId: string): ReviewCard | undefined;
  isExpanded(itemId: string, byDefault: boolean): boolean;
  /** The card of the most recent command shows its last lines even when collapsed. */
  isLatestCommand(itemId: string): boolean;
  /** Records an open/closed choice that the DOM already shows (`<details>`). */
  rememberExpanded(itemId: string, open: boolean): void;
  /** Records the choice and redraws the item. */
  setExpanded(itemId: string, open: boolean): void;
  openLocation(path: string, line?: number | null): void;
  showReview(reviewId: string): void;
};

// Long outputs stay readable and cheap to lay out; the full text is in the
// file or terminal the agent used.
const MAX_OUTPUT_CHARS = 20_000;
const PREVIEW_LINES = 6;

export function renderToolCard(item: ToolCallItem, ctx: CardContext): HTMLElement {
  const outputId = `out-${item.id}`;
  const hasOutput = item.content.length > 0;
  const shown = cardStatus(item);
  const open = hasOutput && ctx.isExpanded(item.id, shown === 'failed');
  const statusText = shown === 'failed' && item.reason ? `Failed: ${item.reason}` : STATUS_LABEL[shown];
  const run: CommandRun | null =
    item.toolKind === 'execute' ? commandRunOf(item.content, ctx.terminal) : null;
  const badge = run && exitBadge(run);

  const toggle = h(
    'button',
    {
      className: 'tool-toggle',
      attrs: {
        type: 'button',
        'data-key': 'toggle',
        'aria-expanded': hasOutput ? String(open) : null,
        'aria-controls': hasOutput ? outputId : null,
        'aria-label': `${KIND_LABEL[item.toolKind]}: ${item.title}. ${statusText}.${hasOutput ? (open ? ' Hide output' : ' Show output') : ''}`,
        disabled: !hasOutput,
      },
    },
    [
      h('span', { className: 'tool-kind', text: KIND_ICON[item.toolKind], attrs: { 'aria-hidden': 'true' } }),
      h('span', { className: 'tool-title', text: item.title, attrs: { title: item.title } }),
      badge,
      h(
        'span',
        { className: `tool-status status-${shown}`, attrs: { 'aria-hidden': 'true', title: statusText } },
        [`${STATUS_ICON[shown]} ${statusText}`],
      ),
    ],
  );
  toggle.addEventListener('click', () => ctx.setExpanded(item.id, !open));

  const review = ctx.reviewFor(item.toolCallId);
  // A delegate call whose children the agent reported shows them instead of its progress text.
  const children = item.toolKind === 'think' && renderChildCards(item, ctx);
  return h(
    'article',
    {
      className: `tool-card status-${shown}`,
      attrs: {
        'aria-label': `Tool call: ${item.title}, ${statusText}`,
        'data-tool-call-id': item.toolCallId,
      },
    },
    [
      h('div', { className: 'tool-header' }, [toggle]),
      item.locations.length > 0 && renderLocations(item.locations, ctx),
      review &&
        h('div', { className: 'tool-review' }, [
          h('button', {
            className: 'link-button',
            text: `Review change to ${review.relPath}`,
            attrs: { type: 'button', 'data-key': 'review' },
            on: { click: () => ctx.showReview(review.reviewId) },
          }),
        ]),
      run && !open && ctx.isLatestCommand(item.id) && renderTerminalPreview(run, PREVIEW_LINES),
      children ? children : !open && liveProgress(item),
      hasOutput &&
        h(
          'div',
          { className: 'tool-output', attrs: { id: outputId, hidden: !open } },
          !open
            ? []
            : run
              ? [renderTerminalBlock(run, clip)]
              : item.content.map((c, i) => renderContent(c, i, ctx)),
        ),
    ],
  );
}

/**
 * A delegation (`think`) card shows its tasks' progress while it runs without being expanded:
 * one line per subagent with its current step.
 */
function liveProgress(item: ToolCallItem): HTMLElement | false {
  if (item.toolKind !== 'think' || item.status !== 'in_progress') return false;
  const first = item.content[0];
  if (first?.type !== 'content' || first.content.type !== 'text') return false;
  return h('pre', { className: 'tool-text tool-progress', text: clip(first.content.text) });
}

/** The live status while the call runs, then how it ended. */
export function cardStatus(item: ToolCallItem): CardStatus {
  if (item.status === 'pending' || item.status === 'in_progress') return item.status;
  return item.status === 'completed' ? 'completed' : (item.outcome ?? 'failed');
}

export function renderLocations(locations: readonly ToolCallLocation[], ctx: CardContext): HTMLElement {
  return h(
    'ul',
    { className: 'tool-locations', attrs: { 'aria-label': 'Files' } },
    locations.map((loc, i) => {
      const shown = displayPath(loc.path, ctx.workspaceRoot);
      const label = loc.line ? `${shown}:${loc.line}` : shown;
      return h('li', {}, [
        h('button', {
          className: 'link-button location',
          text: label,
          attrs: {
            type: 'button',
            'data-key': `loc-${i}`,
            title: loc.path,
            'aria-label': `Open ${shown}${loc.line ? ` at line ${loc.line}` : ''}`,
          },
          on: { click: () => ctx.openLocation(loc.path, loc.line ?? null) },
        }),
      ]);
    }),
  );
}

function clip(text: string): string {
  if (text.length <= MAX_OUTPUT_CHARS) return text;
  return `…(${text.length - MAX_OUTPUT_CHARS} earlier characters not shown)\n${text.slice(-MAX_OUTPUT_CHARS)}`;
}

function renderContent(content: ToolCallContent, index: number, ctx: CardContext): HTMLElement {
  switch (content.type) {
    case 'content':
      return h('pre', { className: 'tool-text', text: clip(blockText(content.content)) });
    case 'diff': {
      const shown = displayPath(content.path, ctx.workspaceRoot);
      const isNew = content.oldText === null || content.oldText === undefined;
      const counts = diffChanges(content);
      return h('div', { className: 'tool-diff' }, [
        h('button', {
          className: 'link-button',
          text: baseName(content.path),
          attrs: {
            type: 'button',
            'data-key': `diff-${index}`,
            title: content.path,
            'aria-label': `Open ${shown}`,
          },
          on: { click: () => ctx.openLocation(content.path, null) },
        }),
        h('span', { className: 'diff-dir', text: shown === baseName(content.path) ? '' : shown }),
        isNew && h('span', { className: 'badge', text: 'new file' }),
        h('span', {
          className: 'diff-changes',
          text: formatChanges(counts),
          attrs: { 'aria-label': `${counts.added} lines added, ${counts.removed} removed` },
        }),
      ]);
    }
    case 'terminal': {
      const run = commandRunOf([content], ctx.terminal);
      return run ? renderTerminalBlock(run, clip) : h('div');
    }
  }
}
