/**
 * The typed protocol between the chat webview and the extension host.
 *
 * Both ends speak JSON-RPC 2.0 (the `json-rpc-2.0` package) over `postMessage`:
 * - the webview sends *requests* (`WebviewRequests`) and awaits their results;
 * - the host sends *notifications* (`HostNotifications`) and never waits on the webview.
 *
 * Pure types and constants only: the webview bundles this file, so no node, no vscode imports.
 * ACP payloads (session updates, tool calls, permission options) are forwarded as the ACP
 * schema defines them, so the webview renders exactly what the agent sent.
 */
import type {
  AvailableCommand,
  ContentBlock,
  PermissionOption,
  SessionConfigOption,
  SessionModeState,
  SessionNotification,
  SessionUpdate,
  StopReason,
  ToolCallUpdate,
} from '@agentclientprotocol/sdk';
import type { DelegateChildNotification } from './delegation-protocol.js';

export type {
  AvailableCommand,
  ContentBlock,
  PermissionOption,
  SessionConfigOption,
  SessionModeState,
  SessionNotification,
  StopReason,
  ToolCallUpdate,
};

// ---------------------------------------------------------------------------
// Shared value types

/** What the agent is doing, as shown in the panel header and the status bar. */
export type AgentActivity =
  | 'starting' // the server process is starting / initializing
  | 'idle' // ready for a prompt
  | 'working' // a prompt turn is running
  | 'awaiting_approval' // a permission card or edit review waits for the user
  | 'stopped'; // the server exited or crashed: `HostState.exit` says why; `restartAgent` recovers

export type ServerExit = {
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  signal: string | null;
  /** A sentence for the user: what happened and what to do (the log has stderr). */
  message: string;
};

/** Everything the panel needs to draw itself from scratch (sent on `ready` and on every change). */
export type HostState = {
  activity: AgentActivity;
  /** The current ACP session, once one exists. */
  sessionId: string | null;
  sessionTitle: string | null;
  /** ACP session modes (legacy mode picker), when the agent offers them. */
  modes: SessionModeState | null;
  /** ACP session config options (mode / model / thought level pickers). */
  configOptions: SessionConfigOption[];
  /** Slash commands from the latest `available_commands_update`. */
  commands: AvailableCommand[];
  /** Set while `activity` is `stopped`. */
  exit: ServerExit | null;
  /** False until the user stored an API key (the panel then offers "Set API Key"). */
  hasApiKey: boolean;
  /** Whether the server supports `session/list` + `session/load` (session history UI). */
  canListSessions: boolean;
  canLoadSessions: boolean;
  /** Whether the agent accepts embedded resources in prompts (`@file` content). */
  embeddedContext: boolean;
  /** Whether the agent accepts image blocks in prompts (`promptCapabilities.image`). */
  images: boolean;
  /** Workspace folder the agent runs in (absolute), or null when no folder is open. */
  workspaceRoot: string | null;
  /** Prompts sent during the running turn that wait for it, in the order they will run. */
  queue: QueuedPrompt[];
  /** Whether the agent offers `/steer` (a message into the running turn). */
  canSteer: boolean;
  /** Whether the agent supports `session/fork` (fork from a user message). */
  canFork: boolean;
  /** Whether chats can be renamed (`session/set_title`, or `/title` for the open chat). */
  canRename: boolean;
};

/** A prompt waiting for the running turn (the server queues it); withdrawn with `removeQueued`. */
export type QueuedPrompt = { id: string; text: string; context: ContextItem[] };

/** What `_cairn/checkpoints/list` says about one checkpoint (the state before a user prompt). */
export type CheckpointInfo = {
  id: string;
  /** 1 = newest. */
  number: number;
  /** ISO 8601. */
  createdAt: string;
  /** The first line of the prompt the checkpoint precedes. */
  prompt: string;
  /** 0-based index of the user prompt in the session this checkpoint precedes. */
  beforeUserMessage: number;
  files: { path: string; status: 'added' | 'modified' | 'deleted'; added: number; removed: number }[];
};

/** One file a restore would change (the preview; contents stay on the host for the diff editors). */
export type CheckpointPreviewFile = {
  /** Workspace-relative. */
  path: string;
  action: 'restore' | 'remove' | 'recreate';
  binary: boolean;
  /** Changed by hand since the checkpoint: the restore asks before overwriting it. */
  handEdited: boolean;
};

export type CheckpointRestoreResult = {
  restored: string[];
  kept: string[];
  /** Set when the conversation was rewound: the fork the panel switched to. */
  forkSessionId: string | null;
};

/** The `@` references the host gathers itself when picked (`@folder` needs a path). */
export type ReferenceKind = 'problems' | 'terminal' | 'git-changes' | 'folder';

/** Image types a prompt may carry (ACP image blocks). */
export const IMAGE_MIME_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
export type ImageMimeType = (typeof IMAGE_MIME_TYPES)[number];
/** Largest image the composer attaches (base64 grows it by a third on the wire). */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

/**
 * Context attached to a prompt: `@file` mentions, editor selections, gathered references
 * (the text is gathered when picked, so the chip shows exactly what is sent, and its size),
 * `@url` pages (read by the agent's `web_fetch`) and images.
 */
export type ContextItem =
  | { kind: 'file'; /** absolute */ path: string; /** workspace-relative, for display */ relPath: string }
  | {
      kind: 'selection';
      path: string;
      relPath: string;
      /** 1-based, inclusive. */
      startLine: number;
      endLine: number;
      text: string;
      languageId?: string;
    }
  | {
      kind: 'reference';
      ref: ReferenceKind;
      /** What the chip says, e.g. `problems` or `src/`. */
      label: string;
      /** The folder (absolute) for `@folder`. */
      path?: string;
      /** `@folder`: its files (absolute); those the prompt names are sent too, within the budget. */
      files?: string[];
      text: string;
      /** UTF-8 bytes of `text`. */
      bytes: number;
      /** Set when the text was cut to its budget (shown on the chip and sent to the model). */
      note: string | null;
    }
  | { kind: 'url'; url: string }
  | { kind: 'image'; name: string; mimeType: ImageMimeType; /** base64 */ data: string; bytes: number };

export type FileMatch = { path: string; relPath: string };

export type SessionSummary = {
  sessionId: string;
  title: string | null;
  /** ISO 8601. */
  updatedAt: string | null;
  cwd: string;
  /** Where it came from when not from the user (a scheduled job's run), from `_meta.cairn.origin`. */
  origin?: SessionOriginSummary | null;
  /** A job's result nobody has opened yet (`_meta.cairn.unseen`). */
  unseen?: boolean;
};

/** A session's origin as the history list shows it (contract: session/list `_meta.cairn.origin`). */
export type SessionOriginSummary = { kind: string; jobName?: string; outcome?: string };

/** A delegated task's session: what the agent said of it, and its own updates so far. */
export type DelegatedChildSnapshot = { info: DelegateChildNotification; updates: SessionUpdate[] };

/** A pending permission request shown as a card with exactly the agent's options. */
export type PermissionCard = {
  /** Host-side id for answering; not the JSON-RPC id of the ACP request. */
  requestId: string;
  sessionId: string;
  toolCall: ToolCallUpdate;
  options: PermissionOption[];
};

/** An inline edit review: a diff editor is open; the card offers Accept / Reject. */
export type ReviewCard = {
  reviewId: string;
  sessionId: string;
  /** Absolute path of the file the agent wants to change. */
  path: string;
  relPath: string;
  /** The tool call this edit belongs to, when the host could tell. */
  toolCallId: string | null;
  /** `write`: an `fs/write_text_file` request; `permission`: a permission request with diff content. */
  source: 'write' | 'permission';
  isNewFile: boolean;
  /** The editor had unsaved changes; the diff's left side shows them. */
  hadUnsavedChanges: boolean;
  linesAdded: number;
  linesRemoved: number;
};

export type ReviewOutcome = 'accepted' | 'rejected' | 'cancelled';

// ---------------------------------------------------------------------------
// Webview → host requests

export const WebviewMethod = {
  /** The webview loaded (or reloaded): returns the full state plus what is still pending. */
  ready: 'ready',
  prompt: 'prompt',
  cancel: 'cancel',
  newChat: 'newChat',
  listSessions: 'listSessions',
  loadSession: 'loadSession',
  setMode: 'setMode',
  setConfigOption: 'setConfigOption',
  answerPermission: 'answerPermission',
  acceptEdit: 'acceptEdit',
  rejectEdit: 'rejectEdit',
  /** Re-open the diff editor of a pending review. */
  showReview: 'showReview',
  openLocation: 'openLocation',
  mentionFiles: 'mentionFiles',
  /** Gather an `@problems` / `@terminal` / `@git-changes` / `@folder` reference for a chip. */
  resolveReference: 'resolveReference',
  restartAgent: 'restartAgent',
  /** Run one of the extension's own commands (`HostCommand`). */
  runCommand: 'runCommand',
  /** Stop one delegated child (`_cairn/delegate/cancel`); its siblings and the turn go on. */
  stopChild: 'stopChild',
  /** Withdraw a queued prompt before it runs. */
  removeQueued: 'removeQueued',
  /** Fork the chat before one of the user's messages and switch to the fork. */
  forkSession: 'forkSession',
  renameSession: 'renameSession',
  /** What a checkpoint restore would change; opens VS Code's multi-file diff of it. */
  previewCheckpoint: 'previewCheckpoint',
  /** Opens the diff of one file of a previewed restore. */
  showCheckpointDiff: 'showCheckpointDiff',
  restoreCheckpoint: 'restoreCheckpoint',
} as const;

export type HostCommand = 'setApiKey' | 'openSettings' | 'showLog';

export type ReadyResult = {
  state: HostState;
  permissions: PermissionCard[];
  reviews: ReviewCard[];
  /**
   * The transcript so far, as the ACP updates received for the current session (replay on
   * reload). The user's prompts appear in it as `user_message_chunk`s, as `session/load` replays them.
   */
  transcript: SessionNotification[];
  /** The current session's delegated children (live cards under their `delegate` call). */
  children?: DelegatedChildSnapshot[];
  /** The current session's checkpoints, newest first (none when the agent keeps none). */
  checkpoints?: CheckpointInfo[];
};

export type WebviewRequests = {
  ready: { params: Record<string, never>; result: ReadyResult };
  /**
   * Sends a prompt. Resolves when the turn ends (updates stream meanwhile as `session/update`).
   * Rejects with a user-facing message when the agent is not running or a turn is already running.
   */
  /**
   * Sends a prompt. Resolves when the turn ends (updates stream meanwhile as `session/update`).
   * While a turn runs, `queue` (the default) sends it to wait for the turn (it shows in
   * `HostState.queue` until it starts); `steer` sends it into the running turn (`/steer`).
   * Rejects with a user-facing message when the agent is not running.
   */
  prompt: {
    params: { text: string; context: ContextItem[]; mode?: 'queue' | 'steer' };
    result: { stopReason: StopReason };
  };
  /**
   * Stop the running turn (`session/cancel`); pending permission cards resolve as cancelled.
   * `queued`: what happens to the queued prompts (default `discard`); `keep` sends them again.
   */
  cancel: { params: { queued?: 'keep' | 'discard' }; result: null };
  newChat: { params: Record<string, never>; result: { sessionId: string } };
  listSessions: {
    params: { cursor?: string };
    result: { sessions: SessionSummary[]; nextCursor: string | null };
  };
  /** Resume a session: the host sends `chat/reset`, then the replayed `session/update`s. */
  loadSession: { params: { sessionId: string }; result: null };
  setMode: { params: { modeId: string }; result: null };
  setConfigOption: { params: { configId: string; value: string | boolean }; result: null };
  /** `optionId: null` dismisses the card (the agent is told the request was cancelled). */
  answerPermission: { params: { requestId: string; optionId: string | null }; result: null };
  acceptEdit: { params: { reviewId: string }; result: null };
  rejectEdit: { params: { reviewId: string }; result: null };
  showReview: { params: { reviewId: string }; result: null };
  /** Opens a file in the editor at a 1-based line (tool-call locations, mentions). */
  openLocation: { params: { path: string; line?: number | null }; result: null };
  /** Workspace files matching a fuzzy query, for the `@` picker. */
  mentionFiles: {
    params: { query: string; limit?: number };
    /** `folders`: workspace folders matching too, for `@folder`. */
    result: { files: FileMatch[]; folders?: FileMatch[] };
  };
  /** Gathers a reference now, for its chip; rejects with a message for the user when it cannot. */
  resolveReference: {
    params: { ref: ReferenceKind; path?: string };
    result: { item: Extract<ContextItem, { kind: 'reference' }> };
  };
  restartAgent: { params: Record<string, never>; result: null };
  runCommand: { params: { command: HostCommand }; result: null };
  /** `cancelled: false` when the child had already ended. */
  stopChild: { params: { childSessionId: string }; result: { cancelled: boolean } };
  removeQueued: { params: { id: string }; result: null };
  /** `userMessage`: 0-based index of the user prompt to fork before; `text` goes to the composer. */
  forkSession: { params: { userMessage: number; text: string }; result: { sessionId: string } };
  renameSession: { params: { sessionId: string; title: string }; result: null };
  previewCheckpoint: { params: { checkpointId: string }; result: { files: CheckpointPreviewFile[] } };
  showCheckpointDiff: { params: { checkpointId: string; path: string }; result: null };
  /** `text`: the prompt the checkpoint precedes, put in the composer when the conversation is rewound. */
  restoreCheckpoint: {
    params: { checkpointId: string; conversation: boolean; text?: string };
    result: CheckpointRestoreResult;
  };
};

export type WebviewRequestMethod = keyof WebviewRequests;
export type WebviewRequestParams<M extends WebviewRequestMethod> = WebviewRequests[M]['params'];
export type WebviewRequestResult<M extends WebviewRequestMethod> = WebviewRequests[M]['result'];

// ---------------------------------------------------------------------------
// Host → webview notifications

export const HostMethod = {
  /** The full `HostState` after any change. */
  state: 'state',
  /** An ACP `session/update`, forwarded unchanged. */
  sessionUpdate: 'session/update',
  /** Clear the transcript: a new chat started, or a session is about to be replayed. */
  chatReset: 'chat/reset',
  /** The prompt the user sent (echoed so every view of the panel shows it). */
  userPrompt: 'chat/userPrompt',
  turnEnded: 'turn/ended',
  permissionRequested: 'permission/requested',
  permissionResolved: 'permission/resolved',
  reviewOpened: 'review/opened',
  reviewResolved: 'review/resolved',
  /** Output of a client terminal (for tool-call `terminal` content). Full text so far, capped. */
  terminalOutput: 'terminal/output',
  /** Add context to the composer ("Add selection to chat", "Add file to chat"). */
  composerAddContext: 'composer/addContext',
  composerFocus: 'composer/focus',
  /** A message for the user that is not part of the transcript (errors, notices). */
  notice: 'notice',
  /** A delegated child of the current session started or ended. */
  childStatus: 'child/status',
  /** One of a delegated child's own `session/update`s (`sessionId` is the child's). */
  childUpdate: 'child/update',
  /** A line in the transcript from the panel itself (a restore's result). */
  chatNotice: 'chat/notice',
  /** The current session's checkpoints changed (listed, or one recorded). */
  checkpoints: 'checkpoints',
  /** Replace the composer's text (a fork puts the message it was made before there). */
  composerSetDraft: 'composer/setDraft',
} as const;

export type HostNotifications = {
  state: HostState;
  'session/update': SessionNotification;
  'chat/reset': { sessionId: string | null; reason: 'new' | 'load' | 'restart' | 'fork' };
  /** `steered`: sent into the running turn rather than as a turn of its own. */
  'chat/userPrompt': { sessionId: string; text: string; context: ContextItem[]; steered?: boolean };
  'turn/ended': { sessionId: string; stopReason: StopReason | null; error: string | null };
  'permission/requested': PermissionCard;
  'permission/resolved': { requestId: string; optionId: string | null };
  'review/opened': ReviewCard;
  'review/resolved': { reviewId: string; outcome: ReviewOutcome };
  'terminal/output': {
    terminalId: string;
    output: string;
    truncated: boolean;
    exitStatus: { exitCode: number | null; signal: string | null } | null;
  };
  'composer/addContext': ContextItem;
  'composer/focus': Record<string, never>;
  notice: { level: 'info' | 'warning' | 'error'; message: string };
  'child/status': DelegateChildNotification;
  'child/update': SessionNotification;
  'chat/notice': { sessionId: string; level: 'info' | 'warning' | 'error'; text: string };
  checkpoints: { sessionId: string; checkpoints: CheckpointInfo[] };
  'composer/setDraft': { text: string };
};

export type HostNotificationMethod = keyof HostNotifications;
export type HostNotificationParams<M extends HostNotificationMethod> = HostNotifications[M];
