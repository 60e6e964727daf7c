// The panel header: one row that keeps its height whatever happens — the title
// (truncated), the agent's activity, New chat, and a "More" menu with the
// secondary actions (history, API key, restart, log, settings, context used).
// Banners (stopped agent, missing key) live in their own element below it.
import type { UsageUpdate } from '@agentclientprotocol/sdk';
import type { AgentActivity, HostCommand, HostState } from '../../../shared/webview-protocol.js';
import { h, patchChildren } from '../dom.js';

export type HeaderActions = {
  newChat(): void;
  toggleSessions(): void;
  restartAgent(): void;
  runCommand(command: HostCommand): void;
};

const ACTIVITY_TEXT: Record<AgentActivity, string> = {
  starting: 'Starting…',
  idle: 'Ready',
  working: 'Working…',
  awaiting_approval: 'Waiting for you',
  stopped: 'Stopped',
};

type Shown = {
  host: HostState | null;
  title: string | null;
  usage: UsageUpdate | null;
  sessionsOpen: boolean;
};

export class Header {
  readonly element: HTMLElement;
  /** Stopped agent / missing key: placed below the header by the app. */
  readonly banners: HTMLElement;
  private readonly titleText: HTMLElement;
  private readonly activity: HTMLElement;
  private readonly newChatButton: HTMLButtonElement;
  private readonly moreButton: HTMLButtonElement;
  private readonly menu: HTMLElement;
  private last: Shown | null = null;

  constructor(private readonly actions: HeaderActions) {
    this.titleText = h('h1', { className: 'title' });
    this.activity = h('span', { className: 'activity', attrs: { role: 'status' } });
    this.newChatButton = h('button', {
      className: 'icon-button header-icon',
      text: '+',
      attrs: { type: 'button', 'data-key': 'new-chat', 'aria-label': 'Start a new chat', title: 'New chat' },
      on: { click: () => this.actions.newChat() },
    });
    this.menu = h('div', {
      className: 'header-menu',
      attrs: { id: 'header-menu', role: 'menu', 'aria-label': 'More actions', hidden: true },
    });
    this.moreButton = h('button', {
      className: 'icon-button header-icon',
      text: '⋯',
      attrs: {
        type: 'button',
        'data-key': 'more',
        'aria-label': 'More actions',
        title: 'More actions',
        'aria-haspopup': 'menu',
        'aria-expanded': 'false',
        'aria-controls': 'header-menu',
      },
      on: { click: () => this.setMenuOpen(this.menu.hidden) },
    });
    this.element = h('header', { className: 'header' }, [
      this.titleText,
      this.activity,
      this.newChatButton,
      this.moreButton,
      this.menu,
    ]);
    this.banners = h('div', { className: 'banners' });
    this.menu.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape') return;
      this.setMenuOpen(false);
      this.moreButton.focus();
    });
    document.addEventListener('click', (event) => {
      if (!this.menu.hidden && !this.element.contains(event.target as Node | null)) this.setMenuOpen(false);
    });
  }

  update(
    host: HostState | null,
    title: string | null,
    usage: UsageUpdate | null,
    sessionsOpen: boolean,
    force = false,
  ): void {
    const l = this.last;
    if (
      !force &&
      l &&
      l.host === host &&
      l.title === title &&
      l.usage === usage &&
      l.sessionsOpen === sessionsOpen
    )
      return;
    this.last = { host, title, usage, sessionsOpen };
    const activity = host?.activity ?? 'starting';
    const shownTitle = title ?? host?.sessionTitle ?? 'New chat';
    this.titleText.textContent = shownTitle;
    this.titleText.title = shownTitle;
    this.activity.className = `activity activity-${activity}`;
    this.activity.textContent = ACTIVITY_TEXT[activity];
    this.activity.setAttribute('aria-label', `Agent: ${ACTIVITY_TEXT[activity]}`);
    this.newChatButton.disabled = activity === 'stopped';
    this.renderMenu(host, usage, sessionsOpen);
    this.renderBanners(host);
  }

  private setMenuOpen(open: boolean): void {
    this.menu.hidden = !open;
    this.moreButton.setAttribute('aria-expanded', String(open));
    if (open) this.menu.querySelector<HTMLElement>('[role="menuitem"]:not([disabled])')?.focus();
  }

  private renderMenu(host: HostState | null, usage: UsageUpdate | null, sessionsOpen: boolean): void {
    const item = (key: string, text: string, run: () => void, attrs: Record<string, string> = {}) =>
      h('button', {
        className: 'menu-item',
        text,
        attrs: { type: 'button', role: 'menuitem', 'data-key': key, ...attrs },
        on: {
          click: () => {
            this.setMenuOpen(false);
            run();
          },
        },
      });
    const canHistory = !!host?.canListSessions && !!host?.canLoadSessions;
    patchChildren(this.menu, [
      canHistory &&
        item('history', 'History', () => this.actions.toggleSessions(), {
          'aria-label': 'Previous chats',
          'aria-expanded': String(sessionsOpen),
          'aria-controls': 'session-list',
        }),
      item('menu-api-key', 'Set API key', () => this.actions.runCommand('setApiKey')),
      host &&
        host.activity !== 'starting' &&
        item('menu-restart', 'Restart agent', () => this.actions.restartAgent()),
      item('menu-log', 'Show log', () => this.actions.runCommand('showLog')),
      item('menu-settings', 'Settings', () => this.actions.runCommand('openSettings')),
      usage &&
        h('div', {
          className: 'menu-note muted',
          text: `Context: ${formatUsage(usage)}`,
          attrs: { role: 'none' },
        }),
    ]);
  }

  private renderBanners(host: HostState | null): void {
    const children: HTMLElement[] = [];
    if (host?.activity === 'stopped') {
      children.push(
        h('div', { className: 'banner banner-error', attrs: { role: 'alert' } }, [
          h('span', { text: host.exit?.message ?? 'The agent stopped.' }),
          h('button', {
            className: 'primary',
            text: 'Restart agent',
            attrs: { type: 'button', 'data-key': 'restart' },
            on: { click: () => this.actions.restartAgent() },
          }),
          h('button', {
            className: 'secondary',
            text: 'Show log',
            attrs: { type: 'button', 'data-key': 'log' },
            on: { click: () => this.actions.runCommand('showLog') },
          }),
        ]),
      );
    }
    if (host && !host.hasApiKey) {
      children.push(
        h('div', { className: 'banner banner-warning' }, [
          h('span', { text: 'Cairn needs an API key for its model provider.' }),
          h('button', {
            className: 'primary',
            text: 'Set API key',
            attrs: { type: 'button', 'data-key': 'api-key' },
            on: { click: () => this.actions.runCommand('setApiKey') },
          }),
        ]),
      );
    }
    patchChildren(this.banners, children);
  }
}

export function formatUsage(usage: UsageUpdate): string {
  const k = (n: number) => (n >= 1000 ? `${Math.round(n / 100) / 10}k` : String(n));
  const percent = usage.size > 0 ? ` (${Math.round((usage.used / usage.size) * 100)}%)` : '';
  const cost = usage.cost ? ` · ${usage.cost.amount.toFixed(2)} ${usage.cost.currency}` : '';
  return `${k(usage.used)} / ${k(usage.size)} tokens${percent}${cost}`;
}
