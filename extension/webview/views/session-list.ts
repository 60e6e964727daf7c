// Previous chats (`session/list`), each resumable (`session/load`).
import type { SessionSummary } from '../../../shared/webview-protocol.js';
import { h, patchChildren } from '../dom.js';
import { errorMessage } from '../../../shared/error-message.js';
import { renameField } from './session-rename.js';

export type SessionListDeps = {
  list(cursor?: string): Promise<{ sessions: SessionSummary[]; nextCursor: string | null }>;
  load(sessionId: string): Promise<void>;
  close(): void;
  /** Renames a chat (rejects with a message the app shows); offered while `canRename()`. */
  rename?(sessionId: string, title: string): Promise<void>;
  canRename?(): boolean;
};

export class SessionList {
  readonly element: HTMLElement;
  private sessions: SessionSummary[] = [];
  private nextCursor: string | null = null;
  private status: 'idle' | 'loading' | 'error' = 'idle';
  private error = '';
  private currentId: string | null = null;
  /** The chat whose title is being edited. */
  private renaming: string | null = null;

  constructor(private readonly deps: SessionListDeps) {
    this.element = h('section', {
      className: 'session-list',
      attrs: { id: 'session-list', 'aria-label': 'Previous chats', hidden: true },
    });
    this.element.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        this.deps.close();
      }
    });
  }

  isOpen(): boolean {
    return !this.element.hidden;
  }

  /** Shows the list and fetches the first page afresh. */
  async open(currentSessionId: string | null): Promise<void> {
    this.currentId = currentSessionId;
    this.element.hidden = false;
    this.sessions = [];
    this.nextCursor = null;
    await this.fetch(undefined);
    this.element.querySelector<HTMLElement>('button.session')?.focus();
  }

  hide(): void {
    this.element.hidden = true;
  }

  private async fetch(cursor: string | undefined): Promise<void> {
    this.status = 'loading';
    this.render();
    try {
      const page = await this.deps.list(cursor);
      this.sessions = [...this.sessions, ...page.sessions];
      this.nextCursor = page.nextCursor;
      this.status = 'idle';
    } catch (error) {
      this.status = 'error';
      this.error = errorMessage(error);
    }
    this.render();
  }

  private renderSession(s: SessionSummary): HTMLElement {
    const current = s.sessionId === this.currentId;
    if (this.renaming === s.sessionId) {
      return h('li', { className: 'session-row' }, [
        renameField(s.sessionId, s.title ?? '', (title) => this.renamed(s, title)),
      ]);
    }
    const rename = this.deps.rename && this.deps.canRename?.();
    return h('li', { className: 'session-row' }, [
      h(
        'button',
        {
          className: current ? 'session current' : 'session',
          attrs: {
            type: 'button',
            'data-key': `s-${s.sessionId}`,
            'aria-current': current ? 'true' : null,
          },
          on: {
            click: () => {
              this.deps.load(s.sessionId).catch(() => {
                // The app reports the failure; the list stays open to retry.
              });
            },
          },
        },
        [
          h('span', { className: 'session-title', text: s.title ?? 'Untitled chat' }),
          ...jobBadges(s),
          s.updatedAt && h('span', { className: 'muted', text: formatWhen(s.updatedAt) }),
        ],
      ),
      rename &&
        h('button', {
          className: 'icon-button',
          text: '✎',
          attrs: {
            type: 'button',
            'data-key': `rename-${s.sessionId}`,
            'aria-label': `Rename ${s.title ?? 'Untitled chat'}`,
            title: 'Rename',
          },
          on: {
            click: () => {
              this.renaming = s.sessionId;
              this.render();
              this.element.querySelector<HTMLInputElement>('input.session-rename')?.select();
            },
          },
        }),
    ]);
  }

  private renamed(s: SessionSummary, title: string | null): void {
    this.renaming = null;
    if (title && this.deps.rename) {
      this.deps.rename(s.sessionId, title).then(
        () => {
          s.title = title;
          this.render();
        },
        () => {
          // The app reports the failure; the old title stays.
        },
      );
    }
    this.render();
    this.element.querySelector<HTMLElement>(`[data-key="rename-${s.sessionId}"]`)?.focus();
  }

  private render(): void {
    // Scheduled jobs' runs are listed apart, above the chats, with the unseen ones marked.
    const jobs = this.sessions.filter((s) => s.origin?.kind === 'job');
    const chats = this.sessions.filter((s) => s.origin?.kind !== 'job');
    const items = [...jobs, ...chats];
    patchChildren(this.element, [
      h('div', { className: 'session-list-header' }, [
        h('h2', { text: 'Previous chats' }),
        h('button', {
          className: 'icon-button',
          text: 'Close',
          attrs: { type: 'button', 'data-key': 'close', 'aria-label': 'Close previous chats' },
          on: { click: () => this.deps.close() },
        }),
      ]),
      jobs.length > 0 &&
        h('section', { className: 'session-group', attrs: { 'aria-label': 'Job results' } }, [
          h('h3', { text: 'Job results' }),
          h(
            'ul',
            { className: 'sessions job-results' },
            jobs.map((s) => this.renderSession(s)),
          ),
        ]),
      chats.length > 0 && jobs.length > 0 && h('h3', { text: 'Chats' }),
      chats.length > 0 &&
        h(
          'ul',
          { className: 'sessions' },
          chats.map((s) => this.renderSession(s)),
        ),
      this.status === 'idle' &&
        items.length === 0 &&
        h('p', { className: 'muted', text: 'No previous chats.' }),
      this.status === 'loading' &&
        h('p', { className: 'muted', text: 'Loading…', attrs: { role: 'status' } }),
      this.status === 'error' &&
        h('p', { className: 'error-text', text: this.error, attrs: { role: 'alert' } }),
      this.nextCursor &&
        this.status !== 'loading' &&
        h('button', {
          className: 'secondary',
          text: 'Load more',
          attrs: { type: 'button', 'data-key': 'more' },
          on: { click: () => void this.fetch(this.nextCursor ?? undefined) },
        }),
    ]);
  }
}

function jobBadges(s: SessionSummary): HTMLElement[] {
  if (s.origin?.kind !== 'job') return [];
  const badges: HTMLElement[] = [];
  if (s.unseen) badges.push(h('span', { className: 'badge badge-new', text: 'New' }));
  // How the run ended, when it did not simply finish (a failed run is visible as failed).
  const outcome = s.origin.outcome;
  if (outcome && outcome !== 'done' && outcome !== 'completed' && outcome !== 'success')
    badges.push(
      h('span', { className: `badge badge-${outcome === 'failed' ? 'error' : 'muted'}`, text: outcome }),
    );
  return badges;
}

function formatWhen(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}
