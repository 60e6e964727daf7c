// One transcript entry as DOM: user prompt, agent reply (Markdown), thinking
// (collapsed by default), tool card or notice.
import { h } from '../dom.js';
import { setMarkdown } from '../markdown.js';
import type { TranscriptItem } from '../state/chat-state.js';
import type { ItemRenderer } from './message-list.js';
import { contextLabel, contextTitle } from './labels.js';
import { type CardContext, renderToolCard } from './tool-card.js';

type UserItem = Extract<TranscriptItem, { kind: 'user' }>;

/** `userActions`: the controls under a user message (fork, restore checkpoint), when it has any. */
export function createTranscriptRenderer(
  ctx: CardContext,
  userActions: (item: UserItem) => HTMLElement | null = () => null,
): ItemRenderer<TranscriptItem> {
  const create = (item: TranscriptItem): HTMLElement => {
    switch (item.kind) {
      case 'user':
        return h(
          'article',
          {
            className: item.steered ? 'msg msg-user msg-steered' : 'msg msg-user',
            attrs: { 'aria-label': item.steered ? 'You steered' : 'You said' },
          },
          [
            item.steered && h('span', { className: 'muted steer-label', text: 'Steer' }),
            item.context.length > 0 &&
              h(
                'ul',
                { className: 'context-chips', attrs: { 'aria-label': 'Attached context' } },
                item.context.map((c) =>
                  h('li', { className: 'chip', attrs: { title: contextTitle(c) } }, [
                    c.kind === 'image' &&
                      h('img', {
                        className: 'chip-thumb',
                        attrs: { src: `data:${c.mimeType};base64,${c.data}`, alt: c.name },
                      }),
                    h('span', { text: contextLabel(c) }),
                  ]),
                ),
              ),
            h('div', { className: 'msg-text', text: item.text }),
            userActions(item),
          ],
        );
      case 'agent': {
        const body = h('div', { className: 'markdown' });
        setMarkdown(body, item.text);
        return h('article', { className: 'msg msg-agent', attrs: { 'aria-label': 'Cairn replied' } }, [body]);
      }
      case 'thought':
        return renderThought(item.id, item.text, ctx);
      case 'tool':
        // The plan is shown once, as the checklist above the composer.
        if (item.showsPlan) return h('div', { className: 'plan-call', attrs: { hidden: true } });
        return renderToolCard(item, ctx);
      case 'notice':
        return h('div', {
          className: `msg-notice notice-${item.level}`,
          text: item.text,
          attrs: { role: item.level === 'error' ? 'alert' : 'status' },
        });
    }
  };

  return {
    create,
    update(node, item) {
      // Streaming text updates in place (keeps selection, focus and open state);
      // everything else is small enough to rebuild.
      if (item.kind === 'agent' && node.classList.contains('msg-agent')) {
        const body = node.querySelector<HTMLElement>('.markdown');
        if (body) {
          setMarkdown(body, item.text);
          return node;
        }
      }
      if (item.kind === 'thought' && node.classList.contains('msg-thought')) {
        updateThought(node, item.text);
        return node;
      }
      return create(item);
    },
  };
}

const rawThought = new WeakMap<HTMLElement, string>();

function renderThought(id: string, text: string, ctx: CardContext): HTMLElement {
  const body = h('div', { className: 'markdown thought-body' });
  const details = h('details', { className: 'msg msg-thought' }, [
    h('summary', { text: 'Thinking', attrs: { 'aria-label': 'Thinking (show or hide)' } }),
    body,
  ]);
  rawThought.set(details, text);
  details.open = ctx.isExpanded(id, false);
  // Rendered only when opened: most thoughts are never read.
  if (details.open) setMarkdown(body, text);
  details.addEventListener('toggle', () => {
    ctx.rememberExpanded(id, details.open);
    if (details.open) setMarkdown(body, rawThought.get(details) ?? '');
  });
  return details;
}

function updateThought(node: HTMLElement, text: string): void {
  rawThought.set(node, text);
  const body = node.querySelector<HTMLElement>('.thought-body');
  if (body && (node as HTMLDetailsElement).open) setMarkdown(body, text);
}
