// The messages queued behind the running turn, above the composer: each can be removed before
// it runs. Stop while messages wait asks here whether to keep them (sent again after the stop)
// or discard them.
import type { QueuedPrompt } from '../../../shared/webview-protocol.js';
import { h, patchChildren } from '../dom.js';

export type QueueViewDeps = {
  remove(id: string): void;
  /** Stops the turn; `keep`: the queued messages are sent again afterwards. */
  stop(queued: 'keep' | 'discard'): void;
};

export class QueueView {
  readonly element: HTMLElement;
  private queue: readonly QueuedPrompt[] = [];
  private askingStop = false;

  constructor(private readonly deps: QueueViewDeps) {
    this.element = h('section', {
      className: 'queue',
      attrs: { 'aria-label': 'Queued messages', hidden: true },
    });
  }

  update(queue: readonly QueuedPrompt[], running: boolean): void {
    if (queue === this.queue && (running || !this.askingStop)) return;
    this.queue = queue;
    // Nothing left to ask about once the queue emptied or the turn ended.
    if (!queue.length || !running) this.askingStop = false;
    this.render();
  }

  /** Stop was pressed: stops at once with nothing queued, else asks what to do with the queue. */
  requestStop(): void {
    if (!this.queue.length) return this.deps.stop('discard');
    this.askingStop = true;
    this.render();
    this.element.querySelector<HTMLElement>('[data-key="keep"]')?.focus();
  }

  private render(): void {
    this.element.hidden = this.queue.length === 0;
    const n = this.queue.length;
    const choose = (queued: 'keep' | 'discard') => () => {
      this.askingStop = false;
      this.render();
      this.deps.stop(queued);
    };
    patchChildren(this.element, [
      h('div', { className: 'queue-header muted', text: `Queued (${n}): sent when the current turn ends` }),
      h(
        'ol',
        { className: 'queue-items' },
        this.queue.map((q) =>
          h('li', { className: 'queue-item' }, [
            h('span', { className: 'queue-text', text: q.text, attrs: { title: q.text } }),
            h('button', {
              className: 'icon-button',
              text: '×',
              attrs: {
                type: 'button',
                'data-key': `remove-${q.id}`,
                'aria-label': `Remove queued message: ${q.text.slice(0, 60)}`,
              },
              on: { click: () => this.deps.remove(q.id) },
            }),
          ]),
        ),
      ),
      this.askingStop &&
        h('div', { className: 'queue-stop', attrs: { role: 'alertdialog', 'aria-label': 'Stop the turn' } }, [
          h('span', {
            text: `Stop the running turn. ${n === 1 ? 'The queued message' : `The ${n} queued messages`}:`,
          }),
          h('button', {
            className: 'primary',
            text: 'Keep queued',
            attrs: { type: 'button', 'data-key': 'keep' },
            on: { click: choose('keep') },
          }),
          h('button', {
            className: 'danger',
            text: 'Discard',
            attrs: { type: 'button', 'data-key': 'discard' },
            on: { click: choose('discard') },
          }),
          h('button', {
            className: 'secondary',
            text: 'Don’t stop',
            attrs: { type: 'button', 'data-key': 'back' },
            on: {
              click: () => {
                this.askingStop = false;
                this.render();
              },
            },
          }),
        ]),
    ]);
  }
}
