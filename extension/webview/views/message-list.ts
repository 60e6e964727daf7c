// The transcript as a windowed list: only a bounded slice of items is in the
// DOM at any time, so a chat of thousands of messages stays smooth. The window
// follows the newest items while the user is at the bottom; scrolling near an
// edge (or the "earlier"/"later" buttons, for keyboard users) slides it, with
// the first still-visible item kept at the same place on screen. A sliding
// window needs no height estimates, which streaming Markdown would defeat.
import { h } from '../dom.js';

export type ItemRenderer<T> = {
  create(item: T): HTMLElement;
  /** Brings `node` up to date with `item`; returns the node to show (the same one or a new one). */
  update(node: HTMLElement, item: T): HTMLElement;
};

export type ListOptions = {
  /** Most items rendered at once. */
  windowSize: number;
  /** Items added/dropped per slide. */
  step: number;
  /** Distance from an edge (px) that triggers a slide. */
  edgePx: number;
};

/** Where the user was reading, to restore after the panel is reloaded. */
export type ScrollSnapshot = { following: boolean; anchorId: string | null; anchorOffset: number };

const DEFAULT_OPTIONS: ListOptions = { windowSize: 60, step: 20, edgePx: 400 };
// Within this distance of the bottom the list keeps following new output.
const FOLLOW_SLACK_PX = 48;

export class WindowedList<T extends { id: string }> {
  readonly element: HTMLElement;
  private readonly content: HTMLElement;
  private readonly earlierButton: HTMLButtonElement;
  private readonly laterButton: HTMLButtonElement;
  private readonly options: ListOptions;
  private items: readonly T[] = [];
  private start = 0;
  private end = 0;
  private following = true;
  private lastScrollTop = 0;
  private readonly rendered = new Map<string, { item: T; node: HTMLElement }>();
  private onScrollChange: (() => void) | null = null;

  constructor(
    private readonly renderer: ItemRenderer<T>,
    options: Partial<ListOptions> = {},
  ) {
    this.options = { ...DEFAULT_OPTIONS, ...options };
    this.content = h('div', { className: 'list-content' });
    this.earlierButton = h('button', {
      className: 'list-more',
      attrs: { type: 'button', hidden: true },
      on: { click: () => this.showEarlier() },
    });
    this.laterButton = h('button', {
      className: 'list-more list-latest',
      attrs: { type: 'button', hidden: true },
      on: { click: () => this.jumpToLatest() },
    });
    // The log is not live: streamed replies would be re-announced on every
    // chunk. The panel announces turn ends and approvals separately.
    this.element = h(
      'div',
      {
        className: 'message-list',
        attrs: { role: 'log', 'aria-live': 'off', 'aria-label': 'Conversation', tabindex: 0 },
      },
      [this.earlierButton, this.content, this.laterButton],
    );
    this.element.addEventListener('scroll', () => this.handleScroll(), { passive: true });
  }

  /** Called after the user scrolls (to persist the position). */
  onScroll(listener: () => void): void {
    this.onScrollChange = listener;
  }

  setItems(items: readonly T[]): void {
    const reset = items.length === 0 || (this.items.length > 0 && items[0]?.id !== this.items[0]?.id);
    this.items = items;
    if (reset) this.following = true;
    if (this.following) {
      this.end = items.length;
      this.start = Math.max(0, this.end - this.options.windowSize);
    } else {
      if (this.start >= items.length) this.start = Math.max(0, items.length - this.options.windowSize);
      this.end = Math.min(items.length, this.start + this.options.windowSize);
    }
    this.render();
    if (this.following) this.scrollToBottom();
  }

  /** Re-renders one item (its look depends on state outside the item, e.g. expanded). */
  redraw(id: string): void {
    const entry = this.rendered.get(id);
    if (!entry) return;
    const node = this.renderer.create(entry.item);
    swapNode(entry.node, node);
    this.rendered.set(id, { item: entry.item, node });
  }

  /** Re-renders every visible item (context such as the workspace root changed). */
  redrawAll(): void {
    for (const id of [...this.rendered.keys()]) this.redraw(id);
  }

  renderedCount(): number {
    return this.rendered.size;
  }

  renderedRange(): { start: number; end: number } {
    return { start: this.start, end: this.end };
  }

  isFollowing(): boolean {
    return this.following;
  }

  showEarlier(): void {
    if (this.start === 0) return;
    this.following = false;
    this.slideTo(Math.max(0, this.start - this.options.step));
  }

  showLater(): void {
    if (this.end >= this.items.length) return;
    this.slideTo(Math.min(this.items.length - this.options.windowSize, this.start + this.options.step));
  }

  jumpToLatest(): void {
    this.following = true;
    this.setItems(this.items);
    this.onScrollChange?.();
  }

  snapshot(): ScrollSnapshot {
    if (this.following) return { following: true, anchorId: null, anchorOffset: 0 };
    const anchor = this.firstVisible();
    return {
      following: false,
      anchorId: anchor?.id ?? null,
      anchorOffset: anchor ? anchor.node.offsetTop - this.element.scrollTop : 0,
    };
  }

  restore(snapshot: ScrollSnapshot): void {
    const index = snapshot.anchorId ? this.items.findIndex((i) => i.id === snapshot.anchorId) : -1;
    if (snapshot.following || index < 0) {
      this.jumpToLatest();
      return;
    }
    this.following = false;
    this.start = Math.max(0, Math.min(index, this.items.length - this.options.windowSize));
    this.end = Math.min(this.items.length, this.start + this.options.windowSize);
    this.render();
    const node = this.rendered.get(snapshot.anchorId!)?.node;
    if (node) this.element.scrollTop = node.offsetTop - snapshot.anchorOffset;
  }

  private firstVisible(): { id: string; node: HTMLElement } | null {
    const top = this.element.scrollTop;
    let first: { id: string; node: HTMLElement } | null = null;
    for (const item of this.items.slice(this.start, this.end)) {
      const node = this.rendered.get(item.id)?.node;
      if (!node) continue;
      first ??= { id: item.id, node };
      if (node.offsetTop + node.offsetHeight > top) return { id: item.id, node };
    }
    // Not laid out (hidden panel): the top of the window is the best anchor.
    return first;
  }

  private slideTo(newStart: number): void {
    newStart = Math.max(0, newStart);
    if (newStart === this.start) return;
    // Keep an item that stays rendered at the same place on screen.
    const anchorIndex = Math.max(newStart, this.start);
    const anchorId = this.items[anchorIndex]?.id;
    const anchorNode = anchorId ? this.rendered.get(anchorId)?.node : undefined;
    const offset = anchorNode ? anchorNode.offsetTop - this.element.scrollTop : 0;
    this.start = newStart;
    this.end = Math.min(this.items.length, newStart + this.options.windowSize);
    this.render();
    if (anchorNode?.isConnected) this.element.scrollTop = anchorNode.offsetTop - offset;
  }

  private handleScroll(): void {
    const el = this.element;
    const fromBottom = el.scrollHeight - el.scrollTop - el.clientHeight;
    const atEnd = this.end >= this.items.length;
    // Slide only in the direction the user scrolls, so a short window at the
    // bottom does not pull in earlier items by itself.
    const movedUp = el.scrollTop < this.lastScrollTop;
    this.lastScrollTop = el.scrollTop;
    this.following = atEnd && fromBottom <= FOLLOW_SLACK_PX;
    if (movedUp && el.scrollTop < this.options.edgePx && this.start > 0) this.showEarlier();
    else if (!movedUp && fromBottom < this.options.edgePx && !atEnd) this.showLater();
    this.updateButtons();
    this.onScrollChange?.();
  }

  private scrollToBottom(): void {
    this.element.scrollTop = this.element.scrollHeight;
  }

  private render(): void {
    const wanted = this.items.slice(this.start, this.end);
    const keep = new Set(wanted.map((item) => item.id));
    for (const [id, entry] of this.rendered) {
      if (keep.has(id)) continue;
      entry.node.remove();
      this.rendered.delete(id);
    }
    let cursor: ChildNode | null = this.content.firstChild;
    for (const item of wanted) {
      let entry = this.rendered.get(item.id);
      if (!entry) {
        entry = { item, node: this.renderer.create(item) };
        this.rendered.set(item.id, entry);
      } else if (entry.item !== item) {
        const node = this.renderer.update(entry.node, item);
        if (node !== entry.node) {
          // The new node takes the old one's place, including as the cursor.
          if (cursor === entry.node) cursor = node;
          swapNode(entry.node, node);
        }
        entry = { item, node };
        this.rendered.set(item.id, entry);
      }
      if (entry.node === cursor) cursor = cursor.nextSibling;
      else this.content.insertBefore(entry.node, cursor);
    }
    this.updateButtons();
  }

  private updateButtons(): void {
    const earlier = this.start;
    this.earlierButton.hidden = earlier === 0;
    this.earlierButton.textContent = `Show earlier messages (${earlier})`;
    const later = this.items.length - this.end;
    this.laterButton.hidden = this.following && later === 0;
    this.laterButton.textContent = later > 0 ? `Jump to latest (${later} newer)` : 'Jump to latest';
  }
}

/** Replaces a node, moving keyboard focus to the matching control in the new one. */
function swapNode(old: HTMLElement, next: HTMLElement): void {
  const active = document.activeElement;
  const key = active && old.contains(active) ? active.getAttribute('data-key') : null;
  old.replaceWith(next);
  if (key) next.querySelector<HTMLElement>(`[data-key="${key}"]`)?.focus();
}
