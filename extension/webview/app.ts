// Composes the panel: the store, the views, and the requests they make to the
// host. DOM-only (no VS Code API): `main.ts` supplies the channel and storage,
// tests supply a real JSON-RPC peer in place of the host.
import type { ContextItem, HostCommand, ReviewCard } from '../../shared/webview-protocol.js';
import { type UiStateStorage, readPersisted } from './ui-state.js';
import { h, patchChildren } from './dom.js';
import type { HostClient, HostNotification } from './rpc.js';
import {
  type ChatAction,
  type ChatState,
  chatReducer,
  initialChatState,
  isTurnRunning,
} from './state/chat-state.js';
import type { TranscriptItem } from './state/chat-state.js';
import { type Store, createStore } from './state/store.js';
import { Composer, type SendMode } from './views/composer.js';
import { Header } from './views/header.js';
import { type ItemRenderer, type ListOptions, WindowedList } from './views/message-list.js';
import { childrenOf } from './state/child-state.js';
import { type PendingActions, renderPermissionCard, renderReviewCard } from './views/pending-cards.js';
import { PlanView } from './views/plan-view.js';
import { SessionPickers } from './views/session-pickers.js';
import { SessionList } from './views/session-list.js';
import type { CardContext } from './views/tool-card.js';
import { createTranscriptRenderer } from './views/transcript-item.js';
import { ConversationControls } from './conversation-controls.js';
import { errorMessage } from '../../shared/error-message.js';

export type ChatAppOptions = {
  /** Runs a render soon (default: next animation frame). */
  schedule?: (render: () => void) => void;
  list?: Partial<ListOptions>;
};

export type ChatApp = {
  readonly store: Store<ChatState, ChatAction>;
  readonly list: WindowedList<TranscriptItem>;
  readonly composer: Composer;
  /** Feeds one host notification in. */
  receive(notification: HostNotification): void;
  /** Fetches the state from the host (`ready`) and restores the saved scroll position. */
  start(): Promise<void>;
  /** Renders pending changes now. */
  flush(): void;
};

// Only the latest choices matter; the map must not grow without bound.
const MAX_EXPANDED_ENTRIES = 300;

function defaultSchedule(render: () => void): void {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => render());
  else setTimeout(render, 16);
}

export function createChatApp(
  root: HTMLElement,
  host: HostClient,
  storage: UiStateStorage,
  options: ChatAppOptions = {},
): ChatApp {
  const store = createStore(chatReducer, initialChatState);
  const schedule = options.schedule ?? defaultSchedule;
  const persisted = readPersisted(storage.load());
  const expanded = new Map(Object.entries(persisted.expanded));
  let userPrompts = 0;

  const report = (error: unknown) => store.dispatch({ type: 'localError', message: errorMessage(error) });
  const call = <T>(promise: Promise<T>): void => {
    promise.catch(report);
  };

  const save = () =>
    storage.save({
      version: 1,
      draft: composer.getDraft(),
      scroll: list.snapshot(),
      expanded: Object.fromEntries([...expanded].slice(-MAX_EXPANDED_ENTRIES)),
    });
  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  const saveSoon = () => {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(save, 200);
  };

  const cardContext: CardContext = {
    get workspaceRoot() {
      return store.getState().host?.workspaceRoot ?? null;
    },
    terminal: (id) => store.getState().terminals[id],
    reviewFor: (toolCallId) => store.getState().reviews.find((r) => r.toolCallId === toolCallId),
    isExpanded: (id, byDefault) => expanded.get(id) ?? byDefault,
    isLatestCommand: (id) => id === latestCommand,
    rememberExpanded(id, open) {
      expanded.delete(id);
      expanded.set(id, open);
      saveSoon();
    },
    setExpanded(id, open) {
      this.rememberExpanded(id, open);
      list.redraw(id);
    },
    openLocation: (path, line) => call(host.request('openLocation', { path, line: line ?? null })),
    showReview: (reviewId) => call(host.request('showReview', { reviewId })),
    children: (toolCallId) => childrenOf(store.getState(), toolCallId),
    stopChild: (childSessionId) => call(host.request('stopChild', { childSessionId })),
    openChild: (sessionId) => call(host.request('loadSession', { sessionId })),
    renderChildItem: (item, cardId) => childRenderer(cardId).create(item),
    redraw: (id) => list.redraw(id),
  };
  // A child's cards live inside the delegate card: opening one redraws that card.
  const childRenderers = new Map<string, ItemRenderer<TranscriptItem>>();
  const childRenderer = (cardId: string): ItemRenderer<TranscriptItem> => {
    let renderer = childRenderers.get(cardId);
    if (!renderer) {
      renderer = createTranscriptRenderer({
        ...cardContext,
        setExpanded(id, open) {
          cardContext.rememberExpanded(id, open);
          list.redraw(cardId);
        },
      });
      childRenderers.set(cardId, renderer);
    }
    return renderer;
  };

  const pendingActions: PendingActions = {
    answerPermission: (requestId, optionId) =>
      call(host.request('answerPermission', { requestId, optionId })),
    acceptEdit: (reviewId) => call(host.request('acceptEdit', { reviewId })),
    rejectEdit: (reviewId) => call(host.request('rejectEdit', { reviewId })),
    showReview: (reviewId) => call(host.request('showReview', { reviewId })),
  };

  const controls = new ConversationControls({
    host,
    getState: () => store.getState(),
    report,
    redraw: (id) => list.redraw(id),
  });
  const list = new WindowedList<TranscriptItem>(
    createTranscriptRenderer(cardContext, controls.userActions),
    options.list,
  );
  list.onScroll(saveSoon);
  const emptyHint = h('div', { className: 'empty-state' }, [
    h('p', { text: 'Ask Cairn to explain, change or review code in this workspace.' }),
    h('p', {
      className: 'muted',
      text: 'Type / for commands, @ to attach a file, or use “Add selection to chat” in the editor.',
    }),
  ]);
  list.element.prepend(emptyHint);

  const composer = new Composer({
    commands: () => store.getState().host?.commands ?? [],
    searchFiles: async (query) => {
      const found = await host.request('mentionFiles', { query, limit: 20 });
      return { files: found.files, folders: found.folders ?? [] };
    },
    resolveReference: async (ref, path) =>
      (await host.request('resolveReference', path ? { ref, path } : { ref })).item,
    report: (error) => report(error),
    async send(text: string, context: ContextItem[], mode?: SendMode) {
      const before = userPrompts;
      try {
        await host.request('prompt', mode ? { text, context, mode } : { text, context });
      } catch (error) {
        // Once the prompt was echoed, `turn/ended` shows the failure in the transcript.
        if (userPrompts !== before) return;
        report(error);
        // Not sent at all: hand the draft back to the composer.
        throw error;
      }
    },
    cancel: () => controls.requestStop(),
    onDraftChange: save,
  });
  composer.setDraft(persisted.draft);

  const sessions = new SessionList({
    list: (cursor) => host.request('listSessions', cursor ? { cursor } : {}),
    load: async (sessionId) => {
      try {
        await host.request('loadSession', { sessionId });
        closeSessions();
      } catch (error) {
        report(error);
        throw error;
      }
    },
    close: () => closeSessions(),
    rename: async (sessionId, title) => {
      try {
        await host.request('renameSession', { sessionId, title });
      } catch (error) {
        report(error);
        throw error;
      }
    },
    canRename: () => !!store.getState().host?.canRename,
  });
  let sessionsOpen = false;
  const closeSessions = () => {
    sessionsOpen = false;
    sessions.hide();
    requestRender();
  };

  const header = new Header({
    newChat: () => call(host.request('newChat', {})),
    toggleSessions: () => {
      if (sessionsOpen) return closeSessions();
      sessionsOpen = true;
      requestRender();
      void sessions.open(store.getState().host?.sessionId ?? null);
    },
    restartAgent: () => call(host.request('restartAgent', {})),
    runCommand: (command: HostCommand) => call(host.request('runCommand', { command })),
  });
  const pickers = new SessionPickers({
    setMode: (modeId) => call(host.request('setMode', { modeId }).catch(redrawPickers)),
    setConfigOption: (configId, value) =>
      call(host.request('setConfigOption', { configId, value }).catch(redrawPickers)),
  });
  const updatePickers = (force = false) => {
    const h = store.getState().host;
    pickers.update(h?.modes ?? null, h?.configOptions ?? [], !h || h.activity === 'stopped', force);
  };
  // A refused change must put the picker back to the real value.
  const redrawPickers = (error: unknown): never => {
    updatePickers(true);
    throw error;
  };

  const notices = h('div', { className: 'notices' });
  const plan = new PlanView();
  const pending = h('div', { className: 'pending', attrs: { 'aria-label': 'Waiting for your decision' } });
  const live = h('div', { className: 'sr-only', attrs: { 'aria-live': 'polite', role: 'status' } });
  root.replaceChildren(
    header.element,
    header.banners,
    sessions.element,
    notices,
    list.element,
    plan.element,
    pending,
    controls.restore.element,
    controls.queue.element,
    pickers.element,
    composer.element,
    live,
  );

  // Relative links in replies name workspace files: open them in the editor.
  list.element.addEventListener('click', (event) => {
    const anchor = (event.target as Element | null)?.closest?.('a[href]');
    if (!anchor) return;
    const href = anchor.getAttribute('href') ?? '';
    if (/^https?:/i.test(href)) return; // VS Code opens web links itself
    event.preventDefault();
    if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('#')) return;
    const match = /^(.*?)(?:#L(\d+))?$/.exec(href);
    const relPath = decodeURIComponent(match?.[1] ?? href);
    const root = store.getState().host?.workspaceRoot;
    const path = root && !relPath.startsWith('/') ? `${root.replace(/\/+$/, '')}/${relPath}` : relPath;
    cardContext.openLocation(path, match?.[2] ? Number(match[2]) : null);
  });

  let rendered: ChatState | null = null;
  let renderQueued = false;
  /** The item id of the most recent command's card (it previews its last lines). */
  let latestCommand: string | null = null;

  function render(): void {
    renderQueued = false;
    const state = store.getState();
    const prev = rendered;
    rendered = state;
    header.update(state.host, state.title, state.usage, sessionsOpen);
    updatePickers();
    // Before the list renders new user messages: their actions depend on it.
    controls.update(state);
    if (prev?.items !== state.items) {
      const before = latestCommand;
      latestCommand = state.items.findLast((i) => i.kind === 'tool' && i.toolKind === 'execute')?.id ?? null;
      list.setItems(state.items);
      if (before && before !== latestCommand) list.redraw(before);
      emptyHint.hidden = state.items.length > 0;
    }
    if (prev && prev.reviews !== state.reviews) redrawReviewedTools(prev, state);
    plan.set(state.plan);
    if (prev?.permissions !== state.permissions || prev?.reviews !== state.reviews) {
      // An edit that asks permission with a diff also opens a review: show one card for it.
      const permissionFor = (r: ReviewCard) =>
        r.source === 'permission' && r.toolCallId
          ? state.permissions.find((p) => p.toolCall.toolCallId === r.toolCallId)
          : undefined;
      const merged = new Set(state.reviews.map(permissionFor).filter((p) => p !== undefined));
      patchChildren(pending, [
        ...state.permissions
          .filter((p) => !merged.has(p))
          .map((p) => renderPermissionCard(p, pendingActions, cardContext)),
        ...state.reviews.map((r) => renderReviewCard(r, pendingActions, permissionFor(r))),
      ]);
      pending.hidden = state.permissions.length + state.reviews.length === 0;
    }
    if (prev?.notices !== state.notices) renderNotices(state);
    const activity = state.host?.activity;
    const connected = activity !== undefined && activity !== 'starting' && activity !== 'stopped';
    composer.setStatus(isTurnRunning(state), connected, !!state.host?.canSteer);
  }

  // Tool cards show a "Review change" link while their edit waits for review.
  function redrawReviewedTools(prev: ChatState, state: ChatState): void {
    const ids = new Set([...prev.reviews, ...state.reviews].map((r) => r.toolCallId));
    for (const toolCallId of ids) {
      const index = toolCallId === null ? undefined : state.toolIndex.get(toolCallId);
      const item = index === undefined ? undefined : state.items[index];
      if (item) list.redraw(item.id);
    }
  }

  function renderNotices(state: ChatState): void {
    patchChildren(
      notices,
      state.notices.map((n) =>
        h(
          'div',
          {
            className: `banner banner-${n.level}`,
            attrs: { role: n.level === 'error' ? 'alert' : 'status' },
          },
          [
            h('span', { text: n.message }),
            h('button', {
              className: 'icon-button',
              text: '×',
              attrs: { type: 'button', 'data-key': `dismiss-${n.id}`, 'aria-label': 'Dismiss' },
              on: { click: () => store.dispatch({ type: 'dismissNotice', id: n.id }) },
            }),
          ],
        ),
      ),
    );
  }

  function requestRender(): void {
    if (renderQueued) return;
    renderQueued = true;
    schedule(() => {
      if (renderQueued) render();
    });
  }
  store.subscribe(requestRender);

  function announce(text: string): void {
    live.textContent = text;
  }

  function receive(notification: HostNotification): void {
    switch (notification.type) {
      case 'composer/addContext':
        composer.addContext(notification.params);
        composer.focus();
        return;
      case 'composer/focus':
        composer.focus();
        return;
      case 'chat/userPrompt':
        userPrompts++;
        break;
      case 'chat/reset':
        if (sessionsOpen && notification.params.reason !== 'new') closeSessions();
        controls.sessionChanged();
        break;
      case 'composer/setDraft':
        composer.setDraft({ text: notification.params.text, context: [] });
        save();
        composer.focus();
        return;
      case 'turn/ended':
        announce(
          notification.params.error ? `Cairn stopped: ${notification.params.error}` : 'Cairn finished.',
        );
        break;
      case 'permission/requested':
        announce(`Cairn asks for permission: ${notification.params.toolCall.title ?? 'a tool call'}.`);
        break;
      case 'review/opened':
        announce(`Review the edit to ${notification.params.relPath}.`);
        break;
    }
    store.dispatch(notification);
  }

  render();

  return {
    store,
    list,
    composer,
    receive,
    async start() {
      try {
        const result = await host.request('ready', {});
        store.dispatch({ type: 'ready', result });
      } catch (error) {
        report(error);
      }
      render();
      if (persisted.scroll) list.restore(persisted.scroll);
    },
    flush: render,
  };
}
