// The agent's plan as a read-only checklist.
import type { PlanEntry } from '@agentclientprotocol/sdk';
import { h } from '../dom.js';
import { PLAN_ICON, PLAN_LABEL } from './labels.js';

export class PlanView {
  readonly element: HTMLDetailsElement;
  private entries: readonly PlanEntry[] = [];

  constructor() {
    this.element = h('details', { className: 'plan', attrs: { open: true, hidden: true } });
  }

  set(entries: readonly PlanEntry[]): void {
    if (entries === this.entries) return;
    this.entries = entries;
    this.element.hidden = entries.length === 0;
    const done = entries.filter((e) => e.status === 'completed').length;
    this.element.replaceChildren(
      h('summary', { text: `Plan (${done}/${entries.length} done)` }),
      h(
        'ul',
        { className: 'plan-entries', attrs: { 'aria-label': 'Plan steps' } },
        entries.map((entry) =>
          h('li', { className: `plan-entry plan-${entry.status} priority-${entry.priority}` }, [
            h('span', {
              className: 'plan-box',
              text: PLAN_ICON[entry.status],
              attrs: { 'aria-hidden': 'true' },
            }),
            h('span', { text: entry.content }),
            h('span', {
              className: 'sr-only',
              text: ` (${PLAN_LABEL[entry.status]}, ${entry.priority} priority)`,
            }),
          ]),
        ),
      ),
    );
  }
}
