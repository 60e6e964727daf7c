// "Restore checkpoint…": the choice (files only, or files and conversation), the preview of what
// will change (opened in VS Code's multi-file diff too; each file's diff one click away), then
// Restore or Cancel. Shown above the composer until done.
import type { CheckpointInfo, CheckpointPreviewFile } from '../../../shared/webview-protocol.js';
import { h, patchChildren } from '../dom.js';

export type RestorePanelDeps = {
  /** The files a restore would change (the host opens the multi-file diff as well). */
  preview(checkpointId: string): Promise<{ files: CheckpointPreviewFile[] }>;
  showDiff(checkpointId: string, path: string): void;
  /** `text`: the message the checkpoint precedes (back in the composer when the conversation is rewound). */
  restore(checkpointId: string, conversation: boolean, text: string): Promise<void>;
  report(error: unknown): void;
};

type Stage =
  | { kind: 'loading' }
  | { kind: 'ready'; files: CheckpointPreviewFile[] }
  | { kind: 'restoring'; files: CheckpointPreviewFile[] }
  | { kind: 'failed' };

const ACTION_LABEL: Record<CheckpointPreviewFile['action'], string> = {
  restore: 'restored',
  remove: 'removed',
  recreate: 'brought back',
};

export class RestorePanel {
  readonly element: HTMLElement;
  private target: { checkpoint: CheckpointInfo; text: string } | null = null;
  private stage: Stage = { kind: 'loading' };
  private conversation = false;
  private seq = 0;

  constructor(private readonly deps: RestorePanelDeps) {
    this.element = h('section', {
      className: 'restore-panel',
      attrs: { 'aria-label': 'Restore checkpoint', hidden: true },
    });
    this.element.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.stage.kind !== 'restoring') {
        e.preventDefault();
        this.close();
      }
    });
  }

  get openCheckpointId(): string | null {
    return this.target?.checkpoint.id ?? null;
  }

  /** Opens for `checkpoint` (taken before the message `text`) and fetches the preview. */
  open(checkpoint: CheckpointInfo, text: string): void {
    this.target = { checkpoint, text };
    this.conversation = false;
    this.stage = { kind: 'loading' };
    this.render();
    const seq = ++this.seq;
    this.deps.preview(checkpoint.id).then(
      ({ files }) => {
        if (seq !== this.seq) return;
        this.stage = { kind: 'ready', files };
        this.render();
        this.element.querySelector<HTMLElement>('[data-key="restore"]')?.focus();
      },
      (error) => {
        if (seq !== this.seq) return;
        this.stage = { kind: 'failed' };
        this.render();
        this.deps.report(error);
      },
    );
  }

  close(): void {
    this.seq++;
    this.target = null;
    this.render();
  }

  private async confirm(): Promise<void> {
    const target = this.target;
    if (!target || this.stage.kind !== 'ready') return;
    this.stage = { kind: 'restoring', files: this.stage.files };
    this.render();
    try {
      await this.deps.restore(target.checkpoint.id, this.conversation, target.text);
      if (this.target === target) this.close();
    } catch (error) {
      if (this.target === target && this.stage.kind === 'restoring') {
        this.stage = { kind: 'ready', files: this.stage.files };
        this.render();
      }
      this.deps.report(error);
    }
  }

  private render(): void {
    const target = this.target;
    this.element.hidden = !target;
    if (!target) return patchChildren(this.element, []);
    const { checkpoint } = target;
    const stage = this.stage;
    const busy = stage.kind === 'restoring';
    const choice = (value: boolean, label: string, detail: string) =>
      h('label', { className: 'restore-choice' }, [
        h('input', {
          attrs: {
            type: 'radio',
            name: 'restore-scope',
            'data-key': value ? 'scope-conversation' : 'scope-files',
            checked: this.conversation === value,
            disabled: busy,
          },
          on: {
            change: () => {
              this.conversation = value;
            },
          },
        }),
        h('span', { text: label }),
        h('span', { className: 'muted', text: detail }),
      ]);
    patchChildren(this.element, [
      h('h2', { text: `Restore checkpoint before “${checkpoint.prompt}”` }),
      h('p', { className: 'muted', text: new Date(checkpoint.createdAt).toLocaleString() }),
      h(
        'div',
        { className: 'restore-choices', attrs: { role: 'radiogroup', 'aria-label': 'What to restore' } },
        [
          choice(false, 'Files only', 'the chat goes on as it is'),
          choice(true, 'Files and conversation', 'the chat continues in a fork from that message'),
        ],
      ),
      stage.kind === 'loading' &&
        h('p', { className: 'muted', text: 'Comparing…', attrs: { role: 'status' } }),
      stage.kind === 'failed' && h('p', { className: 'error-text', text: 'The preview failed.' }),
      (stage.kind === 'ready' || stage.kind === 'restoring') && this.renderFiles(checkpoint.id, stage.files),
      h('div', { className: 'restore-actions' }, [
        h('button', {
          className: 'primary',
          text: busy ? 'Restoring…' : 'Restore',
          attrs: { type: 'button', 'data-key': 'restore', disabled: stage.kind !== 'ready' },
          on: { click: () => void this.confirm() },
        }),
        h('button', {
          className: 'secondary',
          text: 'Cancel',
          attrs: { type: 'button', 'data-key': 'cancel', disabled: busy },
          on: { click: () => this.close() },
        }),
      ]),
    ]);
  }

  private renderFiles(checkpointId: string, files: CheckpointPreviewFile[]): HTMLElement {
    if (!files.length) {
      return h('p', { className: 'muted', text: 'No file differs from the checkpoint.' });
    }
    const handEdited = files.filter((f) => f.handEdited).length;
    return h('div', { className: 'restore-files' }, [
      h('p', {
        text:
          `${files.length === 1 ? '1 file changes' : `${files.length} files change`} (shown in the diff editor)` +
          (handEdited
            ? `; ${handEdited} changed by hand since — you will be asked before they are overwritten.`
            : '.'),
      }),
      h(
        'ul',
        {},
        files.map((f) =>
          h('li', { className: 'restore-file' }, [
            h('button', {
              className: 'link-button',
              text: f.path,
              attrs: { type: 'button', 'data-key': `diff-${f.path}`, title: `Show the diff of ${f.path}` },
              on: { click: () => this.deps.showDiff(checkpointId, f.path) },
            }),
            h('span', { className: 'muted', text: ACTION_LABEL[f.action] }),
            f.binary && h('span', { className: 'muted', text: 'binary' }),
            f.handEdited && h('span', { className: 'badge badge-warning', text: 'changed by hand' }),
          ]),
        ),
      ),
    ]);
  }
}
