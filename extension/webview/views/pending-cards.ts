// Cards that wait for the user: permission requests (exactly the options the
// agent sent, in its order) and edit reviews (Accept / Reject; the diff itself
// is in VS Code's diff editor).
import type { PermissionOptionKind, ToolCallUpdate } from '@agentclientprotocol/sdk';
import type { PermissionCard, ReviewCard } from '../../../shared/webview-protocol.js';
import { h } from '../dom.js';
import { diffChanges, formatChanges } from '../diff-summary.js';
import { KIND_ICON, KIND_LABEL, displayPath } from './labels.js';
import { type CardContext, renderLocations } from './tool-card.js';

export type PendingActions = {
  answerPermission(requestId: string, optionId: string): void;
  acceptEdit(reviewId: string): void;
  rejectEdit(reviewId: string): void;
  showReview(reviewId: string): void;
};

const OPTION_CLASS: Record<PermissionOptionKind, string> = {
  allow_once: 'primary',
  allow_always: 'secondary',
  reject_once: 'secondary',
  reject_always: 'danger',
};

/** After one answer the card's buttons are disabled until the host resolves it. */
function disableButtons(card: HTMLElement): void {
  for (const b of card.querySelectorAll('button')) b.disabled = true;
}

export function renderPermissionCard(
  card: PermissionCard,
  actions: PendingActions,
  ctx: CardContext,
): HTMLElement {
  const call: ToolCallUpdate = card.toolCall;
  const kind = call.kind ?? 'other';
  const title = relativeTitle(call.title ?? 'The agent wants to use a tool', ctx.workspaceRoot);
  const diffs = (call.content ?? []).flatMap((c) => (c.type === 'diff' ? [c] : []));
  const headingId = `perm-${card.requestId}`;
  const element: HTMLElement = h(
    'section',
    {
      className: 'pending-card permission-card',
      attrs: { 'aria-labelledby': headingId, 'data-request-id': card.requestId },
    },
    [
      h('div', { className: 'pending-title', attrs: { id: headingId } }, [
        h('span', { className: 'tool-kind', text: KIND_ICON[kind], attrs: { 'aria-hidden': 'true' } }),
        h('span', { text: `Allow ${KIND_LABEL[kind].toLowerCase()}: ${title}?` }),
      ]),
      call.locations && call.locations.length > 0 && renderLocations(call.locations, ctx),
      ...diffs.map((d) =>
        h('div', {
          className: 'tool-diff',
          text: `${displayPath(d.path, ctx.workspaceRoot)} ${formatChanges(diffChanges(d))}`,
        }),
      ),
      h(
        'div',
        { className: 'pending-actions', attrs: { role: 'group', 'aria-label': 'Permission options' } },
        card.options.map((option, i) =>
          h('button', {
            className: OPTION_CLASS[option.kind] ?? 'secondary',
            text: option.name,
            attrs: { type: 'button', 'data-key': `opt-${i}`, 'data-option-id': option.optionId },
            on: {
              click: () => {
                disableButtons(element);
                actions.answerPermission(card.requestId, option.optionId);
              },
            },
          }),
        ),
      ),
    ],
  );
  return element;
}

/** Titles name files by absolute path ("Edit /ws/src/a.ts"): show them as the user knows them. */
export function relativeTitle(title: string, workspaceRoot: string | null): string {
  const root = workspaceRoot?.replace(/[\\/]+$/, '');
  return root ? title.split(`${root}/`).join('') : title;
}

/**
 * `permission`: the agent's permission request for the same edit. Its card is not shown
 * separately (one edit, one card); its "always allow" option is offered here instead.
 */
export function renderReviewCard(
  card: ReviewCard,
  actions: PendingActions,
  permission?: PermissionCard,
): HTMLElement {
  const always = permission?.options.find((o) => o.kind === 'allow_always');
  const headingId = `review-${card.reviewId}`;
  const summary = `${card.isNewFile ? 'new file, ' : ''}+${card.linesAdded} −${card.linesRemoved}`;
  const element: HTMLElement = h(
    'section',
    {
      className: 'pending-card review-card',
      attrs: { 'aria-labelledby': headingId, 'data-review-id': card.reviewId },
    },
    [
      h('div', { className: 'pending-title', attrs: { id: headingId } }, [
        h('span', { className: 'tool-kind', text: KIND_ICON.edit, attrs: { 'aria-hidden': 'true' } }),
        h('span', { text: 'Review edit to ' }),
        h('button', {
          className: 'link-button',
          text: card.relPath,
          attrs: { type: 'button', title: card.path, 'aria-label': `Show the diff of ${card.relPath}` },
          on: { click: () => actions.showReview(card.reviewId) },
        }),
      ]),
      h('div', {
        className: 'muted',
        text: summary,
        attrs: {
          'aria-label': `${card.linesAdded} lines added, ${card.linesRemoved} removed${card.isNewFile ? ', new file' : ''}`,
        },
      }),
      card.hadUnsavedChanges &&
        h('div', {
          className: 'warning-text',
          text: 'The file had unsaved changes: the diff compares against them.',
        }),
      h('div', { className: 'pending-actions', attrs: { role: 'group', 'aria-label': 'Review' } }, [
        h('button', {
          className: 'primary',
          text: 'Accept',
          attrs: { type: 'button', 'aria-label': `Accept the edit to ${card.relPath}` },
          on: {
            click: () => {
              disableButtons(element);
              actions.acceptEdit(card.reviewId);
            },
          },
        }),
        h('button', {
          className: 'secondary',
          text: 'Reject',
          attrs: { type: 'button', 'aria-label': `Reject the edit to ${card.relPath}` },
          on: {
            click: () => {
              disableButtons(element);
              actions.rejectEdit(card.reviewId);
            },
          },
        }),
        permission &&
          always &&
          h('button', {
            className: 'secondary',
            text: always.name,
            attrs: { type: 'button', 'aria-label': `${always.name} (accepts this edit too)` },
            on: {
              click: () => {
                disableButtons(element);
                actions.answerPermission(permission.requestId, always.optionId);
              },
            },
          }),
      ]),
    ],
  );
  return element;
}
