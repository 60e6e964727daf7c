// The panel header: title, agent activity, New chat / History buttons,
// the mode and model pickers (ACP config options), usage, and banners for a
// stopped agent or a missing API key.
import type { SessionConfigOption, SessionModeState, UsageUpdate } from '@agentclientprotocol/sdk';
import type { AgentActivity, HostCommand, HostState } from '../../../shared/webview-protocol.js';
import { h, patchChildren } from '../dom.js';

export type HeaderActions = {
  newChat(): void;
  toggleSessions(): void;
  restartAgent(): void;
  runCommand(command: HostCommand): void;
  setMode(modeId: string): void;
  setConfigOption(configId: string, value: string | boolean): void;
};

const ACTIVITY_TEXT: Record<AgentActivity, string> = {
  starting: 'Starting…',
  idle: 'Ready',
  working: 'Working…',
  awaiting_approval: 'Waiting for you',
  stopped: 'Stopped',
};

export class Header {
  readonly element: HTMLElement;
  private readonly top: HTMLElement;
  private readonly banners: HTMLElement;
  private readonly pickers: HTMLElement;
  private last: {
    host: HostState | null;
    title: string | null;
    usage: UsageUpdate | null;
    sessionsOpen: boolean;
  } | null = null;
  private lastPickers: { modes: SessionModeState | null; options: SessionConfigOption[] } | null = null;

  constructor(private readonly actions: HeaderActions) {
    this.top = h('div', { className: 'header-top' });
    this.banners = h('div', { className: 'banners' });
    this.pickers = h('div', {
      className: 'pickers',
      attrs: { role: 'toolbar', 'aria-label': 'Session settings' },
    });
    this.element = h('header', { className: 'header' }, [this.top, this.banners, this.pickers]);
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
    this.renderTop(host, title, usage, sessionsOpen);
    this.renderBanners(host);
    const modes = host?.modes ?? null;
    const options = host?.configOptions ?? [];
    if (
      force ||
      !this.lastPickers ||
      this.lastPickers.modes !== modes ||
      this.lastPickers.options !== options
    ) {
      this.lastPickers = { modes, options };
      this.renderPickers(modes, options, host?.activity === 'stopped' || !host);
    }
  }

  private renderTop(
    host: HostState | null,
    title: string | null,
    usage: UsageUpdate | null,
    sessionsOpen: boolean,
  ): void {
    const activity = host?.activity ?? 'starting';
    const canHistory = !!host?.canListSessions && !!host?.canLoadSessions;
    patchChildren(this.top, [
      h('h1', { className: 'title', text: title ?? host?.sessionTitle ?? 'New chat' }),
      h('span', {
        className: `activity activity-${activity}`,
        text: ACTIVITY_TEXT[activity],
        attrs: { role: 'status', 'aria-label': `Agent: ${ACTIVITY_TEXT[activity]}` },
      }),
      usage &&
        h('span', { className: 'usage muted', text: formatUsage(usage), attrs: { title: 'Context used' } }),
      h('div', { className: 'header-buttons' }, [
        canHistory &&
          h('button', {
            className: 'icon-button',
            text: 'History',
            attrs: {
              type: 'button',
              'data-key': 'history',
              'aria-label': 'Previous chats',
              'aria-expanded': String(sessionsOpen),
              'aria-controls': 'session-list',
            },
            on: { click: () => this.actions.toggleSessions() },
          }),
        h('button', {
          className: 'icon-button',
          text: 'New chat',
          attrs: {
            type: 'button',
            'data-key': 'new-chat',
            'aria-label': 'Start a new chat',
            disabled: activity === 'stopped',
          },
          on: { click: () => this.actions.newChat() },
        }),
      ]),
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

  private renderPickers(
    modes: SessionModeState | null,
    options: SessionConfigOption[],
    disabled: boolean,
  ): void {
    const children: HTMLElement[] = [];
    // ACP: config options supersede the legacy modes API when both are present.
    const hasModeOption = options.some((o) => o.category === 'mode');
    if (modes && !hasModeOption && modes.availableModes.length > 0) {
      children.push(
        picker(
          'mode',
          'Mode',
          modes.availableModes.map((m) => ({
            value: m.id,
            name: m.name,
            description: m.description ?? null,
          })),
          modes.currentModeId,
          disabled,
          (value) => this.actions.setMode(value),
        ),
      );
    }
    for (const option of options) {
      if (option.type === 'boolean') {
        const box = h('input', {
          attrs: {
            type: 'checkbox',
            'data-key': `opt-${option.id}`,
            disabled,
            title: option.description ?? null,
          },
        });
        box.checked = option.currentValue;
        box.addEventListener('change', () => this.actions.setConfigOption(option.id, box.checked));
        children.push(
          h('label', { className: 'picker picker-boolean' }, [box, h('span', { text: option.name })]),
        );
        continue;
      }
      const flat = option.options.flatMap((entry) =>
        'group' in entry
          ? entry.options.map((o) => ({ ...o, group: entry.name }))
          : [{ ...entry, group: null as string | null }],
      );
      children.push(
        picker(
          `opt-${option.id}`,
          option.name,
          flat.map((o) => ({
            value: o.value,
            name: o.name,
            description: o.description ?? null,
            group: o.group,
          })),
          option.currentValue,
          disabled,
          (value) => this.actions.setConfigOption(option.id, value),
        ),
      );
    }
    patchChildren(this.pickers, children);
    this.pickers.hidden = children.length === 0;
  }
}

type Choice = { value: string; name: string; description: string | null; group?: string | null };

function picker(
  key: string,
  label: string,
  choices: Choice[],
  current: string,
  disabled: boolean,
  onChange: (value: string) => void,
): HTMLElement {
  const select = h('select', { attrs: { 'data-key': key, 'aria-label': label, disabled } });
  let group: HTMLOptGroupElement | null = null;
  for (const choice of choices) {
    const option = h('option', {
      text: choice.name,
      attrs: { value: choice.value, title: choice.description },
    });
    option.selected = choice.value === current;
    if (choice.group) {
      if (!group || group.label !== choice.group) {
        group = h('optgroup', { attrs: { label: choice.group } });
        select.append(group);
      }
      group.append(option);
    } else {
      group = null;
      select.append(option);
    }
  }
  select.addEventListener('change', () => onChange(select.value));
  return h('label', { className: 'picker' }, [h('span', { className: 'picker-label', text: label }), select]);
}

export function formatUsage(usage: UsageUpdate): string {
  const k = (n: number) => (n >= 1000 ? `${Math.round(n / 100) / 10}k` : String(n));
  const percent = usage.size > 0 ? ` (${Math.round((usage.used / usage.size) * 100)}%)` : '';
  const cost = usage.cost ? ` · ${usage.cost.amount.toFixed(2)} ${usage.cost.currency}` : '';
  return `${k(usage.used)} / ${k(usage.size)} tokens${percent}${cost}`;
}
