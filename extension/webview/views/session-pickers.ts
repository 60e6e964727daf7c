// The mode / model / thought-level pickers (ACP config options, or the legacy
// modes API). A toolbar of their own above the composer, so the header keeps
// one row whatever the agent offers.
import type { SessionConfigOption, SessionModeState } from '@agentclientprotocol/sdk';
import { h, patchChildren } from '../dom.js';

export type PickerActions = {
  setMode(modeId: string): void;
  setConfigOption(configId: string, value: string | boolean): void;
};

export class SessionPickers {
  readonly element: HTMLElement;
  private last: { modes: SessionModeState | null; options: SessionConfigOption[]; disabled: boolean } | null =
    null;

  constructor(private readonly actions: PickerActions) {
    this.element = h('div', {
      className: 'pickers',
      attrs: { role: 'toolbar', 'aria-label': 'Session settings', hidden: true },
    });
  }

  /** `force` redraws even when nothing changed (a refused change must show the real value again). */
  update(
    modes: SessionModeState | null,
    options: SessionConfigOption[],
    disabled: boolean,
    force = false,
  ): void {
    const l = this.last;
    if (!force && l && l.modes === modes && l.options === options && l.disabled === disabled) return;
    this.last = { modes, options, disabled };
    this.render(modes, options, disabled);
  }

  private render(modes: SessionModeState | null, options: SessionConfigOption[], disabled: boolean): void {
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
    patchChildren(this.element, children);
    this.element.hidden = children.length === 0;
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
