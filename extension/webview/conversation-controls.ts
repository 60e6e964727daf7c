// The panel's conversation controls: the queue above the composer (remove, Stop with a queue),
// the actions under each user message (fork from here, restore checkpoint…) and the restore
// panel. Kept out of app.ts, which composes them with the rest.
import type { HostClient } from './rpc.js';
import type { ChatState, TranscriptItem } from './state/chat-state.js';
import { isTurnRunning } from './state/chat-state.js';
import { checkpointsByMessage, userMessageIndexes } from './state/user-messages.js';
import type { CheckpointInfo } from '../../shared/webview-protocol.js';
import { h } from './dom.js';
import { QueueView } from './views/queue-view.js';
import { RestorePanel } from './views/restore-panel.js';

type UserItem = Extract<TranscriptItem, { kind: 'user' }>;

export type ConversationControlsDeps = {
  host: HostClient;
  getState(): ChatState;
  /** Shows a failed request to the user. */
  report(error: unknown): void;
  /** Re-renders one transcript item (its actions changed). */
  redraw(itemId: string): void;
};

export class ConversationControls {
  readonly queue: QueueView;
  readonly restore: RestorePanel;
  private indexes = new Map<string, number>();
  private checkpoints = new Map<string, CheckpointInfo>();
  private shown: {
    items: ChatState['items'];
    checkpoints: ChatState['checkpoints'];
    actions: string;
  } | null = null;

  constructor(private readonly deps: ConversationControlsDeps) {
    const { host, report } = deps;
    const call = (promise: Promise<unknown>) => void promise.catch(report);
    this.queue = new QueueView({
      remove: (id) => call(host.request('removeQueued', { id })),
      stop: (queued) => call(host.request('cancel', { queued })),
    });
    this.restore = new RestorePanel({
      preview: (checkpointId) => host.request('previewCheckpoint', { checkpointId }),
      showDiff: (checkpointId, path) => call(host.request('showCheckpointDiff', { checkpointId, path })),
      restore: async (checkpointId, conversation, text) => {
        await host.request('restoreCheckpoint', { checkpointId, conversation, text });
      },
      report,
    });
  }

  /** Stop pressed (button or Escape): asks about the queue first when messages wait. */
  requestStop(): void {
    this.queue.requestStop();
  }

  /** Brings the queue and the user messages' actions up to date with the state. */
  update(state: ChatState): void {
    const running = isTurnRunning(state);
    this.queue.update(state.host?.queue ?? [], running);
    const actions = `${running}:${!!state.host?.canFork}:${state.host?.activity === 'stopped'}`;
    const prev = this.shown;
    if (
      prev &&
      prev.items === state.items &&
      prev.checkpoints === state.checkpoints &&
      prev.actions === actions
    )
      return;
    this.shown = { items: state.items, checkpoints: state.checkpoints, actions };
    const before = this.checkpoints;
    this.indexes = userMessageIndexes(state.items);
    this.checkpoints = checkpointsByMessage(state.items, state.checkpoints);
    // New items render with their actions; existing ones redraw when what they offer changed.
    for (const item of state.items) {
      if (item.kind !== 'user') continue;
      if (prev?.actions !== actions || before.get(item.id) !== this.checkpoints.get(item.id)) {
        this.deps.redraw(item.id);
      }
    }
  }

  /** The panel shows another session: a restore in progress there is abandoned. */
  sessionChanged(): void {
    this.restore.close();
  }

  /** The controls under a user message, or null when it offers none. */
  userActions = (item: UserItem): HTMLElement | null => {
    const state = this.deps.getState();
    const host = state.host;
    if (!host || host.activity === 'stopped') return null;
    const running = isTurnRunning(state);
    const index = this.indexes.get(item.id);
    const checkpoint = this.checkpoints.get(item.id);
    const fork =
      host.canFork && index !== undefined && !running
        ? h('button', {
            className: 'link-button',
            text: 'Fork from here',
            attrs: {
              type: 'button',
              'data-key': `fork-${item.id}`,
              title:
                'A new chat with the conversation before this message; the message goes back in the composer',
            },
            on: {
              click: () =>
                void this.deps.host
                  .request('forkSession', { userMessage: index, text: item.text })
                  .catch(this.deps.report),
            },
          })
        : null;
    const restore = checkpoint
      ? h('button', {
          className: 'link-button',
          text: 'Restore checkpoint…',
          attrs: {
            type: 'button',
            'data-key': `restore-${item.id}`,
            disabled: running,
            title: running
              ? 'Stop the running turn (or wait for it) to restore'
              : 'Put the files back as they were before this message',
          },
          on: { click: () => this.restore.open(checkpoint, item.text) },
        })
      : null;
    if (!fork && !restore) return null;
    return h('div', { className: 'msg-actions' }, [fork, restore]);
  };
}
