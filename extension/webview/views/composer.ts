// The prompt box: draft text, attached context chips (`@file` mentions, editor
// selections, `@problems`/`@terminal`/`@git-changes`/`@folder`, `@url`, images pasted,
// dropped or attached), slash-command and `@` completion, Send / Stop. While a turn runs,
// Send becomes Queue (the message waits for the turn) next to Steer (into the running turn).
import type { AvailableCommand } from '@agentclientprotocol/sdk';
import {
  IMAGE_MIME_TYPES,
  MAX_IMAGE_BYTES,
  type ContextItem,
  type FileMatch,
  type ImageMimeType,
  type ReferenceKind,
} from '../../../shared/webview-protocol.js';
import { h, replaceChildren } from '../dom.js';
import {
  type CompletionTrigger,
  type ReferenceOption,
  applyCompletion,
  findTrigger,
  matchCommands,
  matchReferences,
} from '../completion.js';
import { contextLabel, contextTitle, sizeLabel } from './labels.js';

export type Draft = { text: string; context: ContextItem[] };

export type SendMode = 'queue' | 'steer';

export type ComposerDeps = {
  commands(): readonly AvailableCommand[];
  /** Files and folders matching an `@` query. */
  searchFiles(query: string): Promise<{ files: FileMatch[]; folders: FileMatch[] }>;
  /** Gathers a reference on the host (its text and size, for the chip). */
  resolveReference(ref: ReferenceKind, path?: string): Promise<ContextItem>;
  /** Shows a failure to attach something (a reference that cannot be gathered, an image too large). */
  report(error: unknown): void;
  /**
   * Sends the prompt (`mode` only while a turn runs: queue it, or steer the running turn);
   * rejects (with a message for the user) when it could not be sent.
   */
  send(text: string, context: ContextItem[], mode?: SendMode): Promise<void>;
  cancel(): void;
  onDraftChange(draft: Draft): void;
};

type Option = {
  label: string;
  detail: string;
  insert: string;
  file?: FileMatch;
  folder?: FileMatch;
  reference?: ReferenceOption;
};

const MAX_OPTIONS = 12;

export class Composer {
  readonly element: HTMLElement;
  private readonly input: HTMLTextAreaElement;
  private readonly chips: HTMLUListElement;
  private readonly popup: HTMLUListElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly stopButton: HTMLButtonElement;
  private readonly steerButton: HTMLButtonElement;
  private readonly imagePicker: HTMLInputElement;
  private context: ContextItem[] = [];
  private trigger: CompletionTrigger | null = null;
  private options: Option[] = [];
  private active = 0;
  private running = false;
  private enabled = true;
  private canSteer = false;
  private searchSeq = 0;

  constructor(private readonly deps: ComposerDeps) {
    this.popup = h('ul', {
      className: 'completion',
      attrs: { id: 'composer-completion', role: 'listbox', 'aria-label': 'Suggestions', hidden: true },
    });
    this.input = h('textarea', {
      className: 'composer-input',
      attrs: {
        rows: 3,
        'aria-label': 'Message Cairn',
        placeholder:
          'Ask Cairn — / for commands, @ for files, @problems, @terminal, @git-changes, @https://…',
        role: 'combobox',
        'aria-autocomplete': 'list',
        'aria-controls': 'composer-completion',
        'aria-expanded': 'false',
      },
    });
    this.chips = h('ul', { className: 'context-chips', attrs: { 'aria-label': 'Attached context' } });
    this.sendButton = h('button', {
      className: 'primary',
      text: 'Send',
      attrs: { type: 'button', 'aria-label': 'Send message (Enter)', 'aria-keyshortcuts': 'Enter' },
      on: { click: () => void this.submit() },
    });
    this.steerButton = h('button', {
      className: 'secondary',
      text: 'Steer',
      attrs: {
        type: 'button',
        'aria-label': 'Steer: send into the running turn (Ctrl+Enter)',
        'aria-keyshortcuts': 'Control+Enter',
        title: 'Cairn reads it before its next step, without waiting for the turn to end',
        hidden: true,
      },
      on: { click: () => void this.submit('steer').catch(() => {}) },
    });
    this.stopButton = h('button', {
      className: 'danger',
      text: 'Stop',
      attrs: {
        type: 'button',
        'aria-label': 'Stop the running turn (Escape)',
        'aria-keyshortcuts': 'Escape',
        hidden: true,
      },
      on: { click: () => this.deps.cancel() },
    });
    this.imagePicker = h('input', {
      attrs: {
        type: 'file',
        accept: IMAGE_MIME_TYPES.join(','),
        multiple: true,
        hidden: true,
        'aria-label': 'Image files to attach',
      },
      on: {
        change: () => {
          this.attachImages([...(this.imagePicker.files ?? [])]);
          this.imagePicker.value = '';
        },
      },
    });
    const attachButton = h('button', {
      className: 'secondary',
      text: 'Image…',
      attrs: { type: 'button', 'aria-label': 'Attach an image (PNG, JPEG, GIF or WebP)' },
      on: { click: () => this.imagePicker.click() },
    });
    this.element = h('form', { className: 'composer', attrs: { 'aria-label': 'Compose' } }, [
      this.chips,
      this.popup,
      this.input,
      this.imagePicker,
      h('div', { className: 'composer-actions' }, [
        attachButton,
        this.stopButton,
        this.steerButton,
        this.sendButton,
      ]),
    ]);
    this.input.addEventListener('paste', (e) => {
      const images = imageFiles(e.clipboardData?.files);
      if (images.length === 0) return; // text pastes as usual
      e.preventDefault();
      this.attachImages(images);
    });
    this.element.addEventListener('dragover', (e) => {
      if (e.dataTransfer?.types.includes('Files')) e.preventDefault();
    });
    this.element.addEventListener('drop', (e) => {
      const images = imageFiles(e.dataTransfer?.files);
      if (images.length === 0) return;
      e.preventDefault();
      this.attachImages(images);
    });
    this.element.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.submit();
    });
    this.input.addEventListener('input', () => {
      this.refreshCompletion();
      this.changed();
    });
    this.input.addEventListener('keydown', (e) => this.handleKey(e));
    this.input.addEventListener('blur', () => {
      // Let a click on an option land before the list closes.
      setTimeout(() => {
        if (document.activeElement !== this.input) this.closeCompletion();
      }, 150);
    });
    this.renderChips();
  }

  getDraft(): Draft {
    return { text: this.input.value, context: [...this.context] };
  }

  setDraft(draft: Draft): void {
    this.input.value = draft.text;
    this.context = [...draft.context];
    this.renderChips();
  }

  addContext(item: ContextItem): void {
    const key = contextKey(item);
    if (this.context.some((c) => contextKey(c) === key)) return;
    this.context.push(item);
    this.renderChips();
    this.changed();
  }

  focus(): void {
    this.input.focus();
  }

  /** Attaches image files (pasted, dropped or picked) as chips; other files are refused with a note. */
  attachImages(files: readonly File[]): void {
    for (const file of files) {
      if (!isImageType(file.type)) {
        this.deps.report(new Error(`${file.name} is not a PNG, JPEG, GIF or WebP image.`));
        continue;
      }
      if (file.size > MAX_IMAGE_BYTES) {
        this.deps.report(
          new Error(
            `${file.name} is ${sizeLabel(file.size)}; images up to ${sizeLabel(MAX_IMAGE_BYTES)} can be attached.`,
          ),
        );
        continue;
      }
      const mimeType = file.type;
      readBase64(file).then(
        (data) =>
          this.addContext({
            kind: 'image',
            name: file.name || 'pasted image',
            mimeType,
            data,
            bytes: file.size,
          }),
        (error) => this.deps.report(error),
      );
    }
  }

  /**
   * `running`: a turn is in progress (Stop shows; Send queues). `enabled`: the agent can take a
   * prompt. `canSteer`: the agent takes `/steer` (Steer shows while a turn runs).
   */
  setStatus(running: boolean, enabled: boolean, canSteer = false): void {
    this.running = running;
    this.enabled = enabled;
    this.canSteer = canSteer;
    this.stopButton.hidden = !running;
    this.steerButton.hidden = !running || !canSteer;
    this.steerButton.disabled = !enabled;
    this.sendButton.disabled = !enabled;
    this.sendButton.textContent = running ? 'Queue' : 'Send';
    this.sendButton.setAttribute(
      'aria-label',
      running ? 'Queue message: sent when the current turn ends (Enter)' : 'Send message (Enter)',
    );
  }

  /**
   * Sends the draft (while a turn runs: queued, or as a steer). The draft is cleared at once and
   * put back if sending fails: nothing typed is lost.
   */
  async submit(mode: SendMode = 'queue'): Promise<void> {
    const text = this.input.value.trim();
    if (!text || !this.enabled) return;
    if (mode === 'steer' && !(this.running && this.canSteer)) return;
    const draft = this.getDraft();
    this.setDraft({ text: '', context: [] });
    this.closeCompletion();
    this.changed();
    try {
      await (this.running ? this.deps.send(text, draft.context, mode) : this.deps.send(text, draft.context));
    } catch (error) {
      if (this.input.value === '' && this.context.length === 0) {
        this.setDraft(draft);
        this.changed();
      }
      throw error;
    }
  }

  private changed(): void {
    this.deps.onDraftChange(this.getDraft());
  }

  private handleKey(e: KeyboardEvent): void {
    if (e.isComposing) return;
    const open = !this.popup.hidden && this.options.length > 0;
    if (open && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
      e.preventDefault();
      const delta = e.key === 'ArrowDown' ? 1 : -1;
      this.active = (this.active + delta + this.options.length) % this.options.length;
      this.renderOptions();
      return;
    }
    if (open && (e.key === 'Enter' || e.key === 'Tab') && !e.shiftKey) {
      e.preventDefault();
      this.pick(this.active);
      return;
    }
    if (open && e.key === 'Escape') {
      e.preventDefault();
      this.closeCompletion();
      return;
    }
    if (e.key === 'Escape' && this.running) {
      e.preventDefault();
      this.deps.cancel();
      return;
    }
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && this.running && this.canSteer) {
      e.preventDefault();
      this.submit('steer').catch(() => {});
      return;
    }
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      this.submit().catch(() => {
        // The app shows the error; the draft is already restored.
      });
    }
  }

  private refreshCompletion(): void {
    const trigger = findTrigger(this.input.value, this.input.selectionStart ?? this.input.value.length);
    this.trigger = trigger;
    if (!trigger) return this.closeCompletion();
    if (trigger.kind === 'command') {
      const options = matchCommands(this.deps.commands(), trigger.query).map((c) => ({
        label: `/${c.name}`,
        detail: c.input?.hint ? `${c.description} — ${c.input.hint}` : c.description,
        insert: `/${c.name}`,
      }));
      this.showOptions(options);
      return;
    }
    const references: Option[] = matchReferences(trigger.query).map((r) => ({
      label: r.label,
      detail: r.detail,
      insert: r.label,
      reference: r,
    }));
    if (references.some((r) => r.reference?.ref === 'url')) return this.showOptions(references);
    const seq = ++this.searchSeq;
    this.deps.searchFiles(trigger.query).then(
      ({ files, folders }) => {
        // A newer keystroke has its own search in flight.
        if (seq !== this.searchSeq || this.trigger?.kind !== 'mention') return;
        this.showOptions([
          ...references,
          ...folders.map((f) => ({ label: f.relPath, detail: 'folder', insert: `@${f.relPath}`, folder: f })),
          ...files.map((f) => ({ label: f.relPath, detail: '', insert: `@${f.relPath}`, file: f })),
        ]);
      },
      () => (references.length ? this.showOptions(references) : this.closeCompletion()),
    );
  }

  private showOptions(options: Option[]): void {
    this.options = options.slice(0, MAX_OPTIONS);
    this.active = 0;
    if (this.options.length === 0) return this.closeCompletion();
    this.popup.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
    this.renderOptions();
  }

  private renderOptions(): void {
    replaceChildren(
      this.popup,
      this.options.map((option, i) => {
        const li = h(
          'li',
          {
            className: i === this.active ? 'option active' : 'option',
            attrs: { id: `completion-${i}`, role: 'option', 'aria-selected': String(i === this.active) },
          },
          [
            h('span', { className: 'option-label', text: option.label }),
            h('span', { className: 'muted', text: option.detail }),
          ],
        );
        li.addEventListener('mousedown', (e) => {
          e.preventDefault(); // keep focus in the textarea
          this.pick(i);
        });
        return li;
      }),
    );
    this.input.setAttribute('aria-activedescendant', `completion-${this.active}`);
  }

  private pick(index: number): void {
    const option = this.options[index];
    const trigger = this.trigger;
    if (!option || !trigger) return;
    const next = applyCompletion(this.input.value, trigger, option.insert);
    this.input.value = next.text;
    this.input.setSelectionRange(next.caret, next.caret);
    if (option.file) this.addContext({ kind: 'file', path: option.file.path, relPath: option.file.relPath });
    if (option.folder) this.resolve('folder', option.folder.path);
    const reference = option.reference;
    if (reference?.ref === 'url') this.addContext({ kind: 'url', url: reference.url });
    else if (reference) this.resolve(reference.ref);
    this.closeCompletion();
    this.changed();
  }

  /** Gathers a reference on the host; its chip appears once its text (and size) is known. */
  private resolve(ref: ReferenceKind, path?: string): void {
    this.deps.resolveReference(ref, path).then(
      (item) => this.addContext(item),
      (error) => this.deps.report(error),
    );
  }

  private closeCompletion(): void {
    this.searchSeq++;
    this.options = [];
    this.popup.hidden = true;
    this.popup.replaceChildren();
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
  }

  private renderChips(): void {
    this.chips.hidden = this.context.length === 0;
    replaceChildren(
      this.chips,
      this.context.map((item, i) =>
        h(
          'li',
          {
            className: item.kind === 'reference' && item.note ? 'chip chip-cut' : 'chip',
            attrs: { title: contextTitle(item) },
          },
          [
            item.kind === 'image' &&
              h('img', {
                className: 'chip-thumb',
                attrs: { src: `data:${item.mimeType};base64,${item.data}`, alt: '' },
              }),
            h('span', { text: contextLabel(item) }),
            h('button', {
              className: 'chip-remove',
              text: '×',
              attrs: { type: 'button', 'aria-label': `Remove ${contextLabel(item)}` },
              on: {
                click: () => {
                  this.context.splice(i, 1);
                  this.renderChips();
                  this.changed();
                  this.input.focus();
                },
              },
            }),
          ],
        ),
      ),
    );
  }
}

function contextKey(item: ContextItem): string {
  switch (item.kind) {
    case 'file':
      return `f:${item.path}`;
    case 'selection':
      return `s:${item.path}:${item.startLine}-${item.endLine}`;
    case 'reference':
      return `r:${item.ref}:${item.path ?? ''}`;
    case 'url':
      return `u:${item.url}`;
    case 'image':
      return `i:${item.name}:${item.bytes}:${item.data.slice(0, 64)}`;
  }
}

function isImageType(type: string): type is ImageMimeType {
  return (IMAGE_MIME_TYPES as readonly string[]).includes(type);
}

function imageFiles(list: FileList | null | undefined): File[] {
  return [...(list ?? [])].filter((f) => f.type.startsWith('image/'));
}

/** A file's bytes as base64 (what ACP image blocks carry). */
function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(new Error(`Could not read ${file.name}.`));
    reader.readAsDataURL(file);
  });
}
