/**
 * Conversation control for the chat host: fork from a user message, rename, and checkpoints
 * (listed per session, previewed in diff editors, restored with or without the conversation).
 */
import type { AgentCapabilities, NewSessionResponse } from '@agentclientprotocol/sdk';
import type {
  CheckpointInfo,
  CheckpointPreviewFile,
  CheckpointRestoreResult,
  HostNotificationMethod,
  HostNotifications,
} from '../shared/webview-protocol.js';
import type { Connected } from './chat-host.js';
import type { SessionView } from './session-view.js';
import {
  type CheckpointFileContents,
  isMethodNotFound,
  listCheckpoints,
  mergeCheckpoint,
  previewCheckpoint,
  previewSummary,
  restoreCheckpoint,
  restoreNotice,
} from './checkpoint-requests.js';

/** Shows a restore's changes in the editor (VS Code's multi-file diff and per-file diffs). */
export interface CheckpointViewer {
  showChanges(title: string, files: readonly CheckpointFileContents[]): Promise<void>;
  showDiff(title: string, file: CheckpointFileContents): Promise<void>;
}

/** What the control needs from the chat host. */
export type ControlHost = {
  readonly session: SessionView;
  /** The connection, once the server runs (null before). */
  current(): Connected | null;
  /** Starts the server and a session when needed. */
  connected(): Promise<Connected>;
  /** A prompt runs or waits. */
  busy(): boolean;
  /** Stops the turn and drops the queue before the panel shows another session. */
  leaveSession(): Promise<void>;
  /** Shows another session in the panel, replayed (`forked`: its session/fork answer). */
  switchTo(c: Connected, sessionId: string, forked?: NewSessionResponse): Promise<void>;
  notify<M extends HostNotificationMethod>(method: M, params: HostNotifications[M]): void;
  stateChanged(): void;
  rememberTitle(sessionId: string, title: string): void;
  workspace(): string;
  log(line: string): void;
};

/** An entry of `agentCapabilities.sessionCapabilities` the stable schema does not type (`fork`, `title`). */
export function sessionCapability(caps: AgentCapabilities | undefined, name: string): boolean {
  const entry = (caps?.sessionCapabilities as Record<string, unknown> | null | undefined)?.[name];
  return entry !== undefined && entry !== null;
}

export class ConversationControl {
  /** The current session's checkpoints, newest first. */
  checkpoints: CheckpointInfo[] = [];
  /** False once the agent answered that it has no checkpoint methods. */
  private checkpointsSupported = true;
  private previewed: { sessionId: string; checkpointId: string; files: CheckpointFileContents[] } | null =
    null;

  constructor(
    private readonly viewer: CheckpointViewer,
    private readonly host: ControlHost,
  ) {}

  /** The panel shows another session: its checkpoints are fetched afresh. */
  sessionChanged(): void {
    this.checkpoints = [];
    this.previewed = null;
    const sessionId = this.host.session.sessionId;
    if (sessionId) this.host.notify('checkpoints', { sessionId, checkpoints: [] });
    void this.refresh();
  }

  /** A turn ended: it may have recorded a checkpoint the agent did not announce. */
  turnEnded(): void {
    void this.refresh();
  }

  /** `_cairn/checkpoint`: one was recorded. */
  checkpointRecorded(sessionId: string, checkpoint: CheckpointInfo): void {
    if (sessionId !== this.host.session.sessionId) return;
    this.checkpoints = mergeCheckpoint(this.checkpoints, checkpoint);
    this.host.notify('checkpoints', { sessionId, checkpoints: this.checkpoints });
  }

  async refresh(): Promise<void> {
    const c = this.host.current();
    const sessionId = this.host.session.sessionId;
    if (!c || !sessionId || !this.checkpointsSupported) return;
    try {
      const list = await listCheckpoints(c.connection.agent, sessionId);
      if (sessionId !== this.host.session.sessionId) return;
      this.checkpoints = list.available ? list.checkpoints : [];
      this.host.notify('checkpoints', { sessionId, checkpoints: this.checkpoints });
    } catch (err) {
      if (isMethodNotFound(err)) this.checkpointsSupported = false;
      else this.host.log(`[cairn] listing checkpoints failed: ${(err as Error).message}`);
    }
  }

  async fork(userMessage: number, text: string): Promise<{ sessionId: string }> {
    const c = await this.host.connected();
    if (!sessionCapability(c.capabilities, 'fork')) throw new Error('This agent cannot fork chats.');
    const sessionId = this.host.session.sessionId!;
    await this.host.leaveSession();
    const res = await c.connection.agent.request<NewSessionResponse>('session/fork', {
      sessionId,
      cwd: this.host.workspace(),
      mcpServers: [],
      _meta: { cairn: { beforeUserMessage: userMessage } },
    });
    await this.host.switchTo(c, res.sessionId, res);
    this.host.notify('composer/setDraft', { text });
    return { sessionId: res.sessionId };
  }

  /** `session/set_title` where the agent has it, else `/title` for the open chat. */
  async rename(sessionId: string, title: string): Promise<void> {
    const clean = title.replace(/\s+/g, ' ').trim();
    if (!clean) throw new Error('A chat title cannot be empty.');
    const c = await this.host.connected();
    const session = this.host.session;
    if (sessionCapability(c.capabilities, 'title')) {
      await c.connection.agent.request('session/set_title', { sessionId, title: clean });
    } else if (!session.commands.some((cmd) => cmd.name === 'title')) {
      throw new Error('This agent cannot rename chats.');
    } else if (sessionId !== session.sessionId) {
      throw new Error('This agent renames only the open chat: open it, then rename it.');
    } else if (this.host.busy()) {
      throw new Error('Wait for the running turn to end, then rename the chat.');
    } else {
      await c.connection.agent.request('session/prompt', {
        sessionId,
        prompt: [{ type: 'text', text: `/title ${clean}` }],
      });
    }
    this.host.rememberTitle(sessionId, clean);
    if (sessionId === session.sessionId) session.title = clean;
    this.host.stateChanged();
  }

  /** What restoring `checkpointId` would change; opens the multi-file diff of it. */
  async preview(checkpointId: string): Promise<{ files: CheckpointPreviewFile[] }> {
    const { c, sessionId } = await this.idleSession();
    const files = await previewCheckpoint(c.connection.agent, sessionId, checkpointId);
    this.previewed = { sessionId, checkpointId, files };
    if (files.length) {
      try {
        await this.viewer.showChanges(this.title(checkpointId), files);
      } catch (err) {
        // The list in the panel still shows the changes, with a diff per file.
        this.host.log(`[cairn] the multi-file diff did not open: ${(err as Error).message}`);
      }
    }
    return { files: previewSummary(files) };
  }

  async showDiff(checkpointId: string, path: string): Promise<void> {
    const sessionId = this.host.session.sessionId;
    const previewed = this.previewed;
    const files =
      previewed && previewed.sessionId === sessionId && previewed.checkpointId === checkpointId
        ? previewed.files
        : null;
    const file = files?.find((f) => f.path === path);
    if (!file) throw new Error('Preview the restore again: its changes are no longer at hand.');
    await this.viewer.showDiff(this.title(checkpointId), file);
  }

  async restore(
    checkpointId: string,
    conversation: boolean,
    text: string | null,
  ): Promise<CheckpointRestoreResult> {
    const { c, sessionId } = await this.idleSession();
    const result = await restoreCheckpoint(c.connection.agent, { sessionId, checkpointId, conversation });
    const notice = restoreNotice(result, conversation);
    if (conversation && result.forkSessionId) {
      await this.host.switchTo(c, result.forkSessionId);
      if (text) this.host.notify('composer/setDraft', { text });
    }
    const shown = this.host.session.sessionId ?? sessionId;
    this.host.notify('chat/notice', { sessionId: shown, level: 'info', text: notice });
    void this.refresh();
    return result;
  }

  private async idleSession(): Promise<{ c: Connected; sessionId: string }> {
    const c = await this.host.connected();
    if (this.host.busy())
      throw new Error('Stop the running turn (or wait for it) before restoring a checkpoint.');
    return { c, sessionId: this.host.session.sessionId! };
  }

  private title(checkpointId: string): string {
    const cp = this.checkpoints.find((x) => x.id === checkpointId);
    return cp ? `Restore checkpoint before “${cp.prompt}”` : 'Restore checkpoint';
  }
}
