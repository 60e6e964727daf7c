// A tiny element builder. Views build DOM nodes directly (never innerHTML of
// untrusted text) so the only HTML string ever parsed is sanitised Markdown.

type AttrValue = string | number | boolean | null | undefined;
type Listener = (event: Event) => void;

export interface ElementSpec {
  className?: string;
  text?: string;
  attrs?: Record<string, AttrValue>;
  on?: Record<string, Listener>;
}

export type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  spec: ElementSpec = {},
  children: readonly Child[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (spec.className) node.className = spec.className;
  if (spec.text !== undefined) node.textContent = spec.text;
  for (const [name, value] of Object.entries(spec.attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const [type, listener] of Object.entries(spec.on ?? {})) node.addEventListener(type, listener);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child);
  }
  return node;
}

/** Replaces all children of `parent`. */
export function replaceChildren(parent: Element, children: readonly Child[]): void {
  parent.replaceChildren(...children.filter((c): c is Node | string => !!c));
}

/** The last path segment, for compact file labels. */
export function baseName(path: string): string {
  const trimmed = path.replace(/[\\/]+$/, '');
  const cut = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  return cut >= 0 ? trimmed.slice(cut + 1) : trimmed;
}

/**
 * Replaces the children of `parent`, keeping keyboard focus on the control
 * with the same `data-key` if focus was inside (re-rendering must not strand
 * keyboard users).
 */
export function patchChildren(parent: Element, children: readonly Child[]): void {
  const active = document.activeElement;
  const key = active && parent.contains(active) ? active.getAttribute('data-key') : null;
  replaceChildren(parent, children);
  if (key) parent.querySelector<HTMLElement>(`[data-key="${key}"]`)?.focus();
}
