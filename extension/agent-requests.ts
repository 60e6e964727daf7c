import { RequestError, type ClientApp } from '@agentclientprotocol/sdk';
import type {
  ReadTextFileRequest,
  RequestPermissionRequest,
  RequestPermissionResponse,
  WriteTextFileRequest,
} from '@agentclientprotocol/sdk';
import type { HostNotificationMethod, HostNotifications } from '../shared/webview-protocol.js';
import { autoApprovalOption, reviewAnswerOption, type AutoApproveSettings } from './approval-policy.js';
import { ClientTerminals } from './client-terminals.js';
import type { CommandTerminal } from './command-terminal.js';
import { EditReviews, type ReviewPresenter } from './edit-reviews.js';
import { PermissionRequests } from './permission-requests.js';
import { PathRefusedError, WorkspaceGuard } from './workspace-guard.js';

/** What answering the agent needs from the editor. */
export interface AgentRequestsEnvironment {
  workspaceRoot(): string | null;
  /** Every workspace folder: the only places the agent's file requests may reach. */
  workspaceFolders(): readonly string[];
  /** The text of an open document at `path` (unsaved edits included), if one is open. */
  openDocumentText(path: string): string | undefined;
  autoApprove(): AutoApproveSettings;
  /** Current text of a file: the open document (unsaved edits included), else disk. */
  readText(path: string): Promise<string>;
  reviews: ReviewPresenter;
  /** A command the agent runs through the editor started (shown in a pseudo-terminal). */
  terminalStarted(terminal: CommandTerminal): void;
  /** The agent waits on the user; tells them if the editor is not focused (when enabled). */
  attentionNeeded(message: string): void;
  log(line: string): void;
}

/** What it needs from the chat host: the webview channel and the session's tool calls. */
export interface AgentRequestsHost {
  notify<M extends HostNotificationMethod>(method: M, params: HostNotifications[M]): void;
  stateChanged(): void;
  reportError(err: unknown): void;
  editToolCallFor(path: string): string | null;
}

/**
 * The client side of what the agent asks of the editor: file reads (open buffers first),
 * writes (always through an inline review unless the user auto-approves edits), permission
 * cards, and terminals.
 */
export class AgentRequests {
  readonly permissions: PermissionRequests;
  readonly reviews: EditReviews;
  readonly terminals: ClientTerminals;
  /** The editor's own check on the agent's paths: inside the workspace folders, no link out. */
  readonly guard: WorkspaceGuard;
  private readonly forwardedTerminals = new Set<string>();
  /** Permission cards of edits held back until their review card is out, by tool call id. */
  private readonly heldPermissions = new Map<string, () => void>();

  constructor(
    private readonly env: AgentRequestsEnvironment,
    private readonly host: AgentRequestsHost,
  ) {
    this.permissions = new PermissionRequests({
      requested: (card) => {
        host.notify('permission/requested', card);
        env.attentionNeeded(`Cairn asks: ${card.toolCall.title ?? 'permission needed'}`);
        host.stateChanged();
      },
      resolved: (requestId, optionId) => {
        host.notify('permission/resolved', { requestId, optionId });
        host.stateChanged();
      },
    });
    this.guard = new WorkspaceGuard(() => env.workspaceFolders());
    this.reviews = new EditReviews(
      env.reviews,
      {
        opened: (card) => {
          host.notify('review/opened', card);
          // The review card comes first, so the plain permission card never shows on its own.
          if (card.source === 'permission' && card.toolCallId) this.showHeldPermission(card.toolCallId);
          host.stateChanged();
        },
        resolved: (reviewId, outcome) => {
          host.notify('review/resolved', { reviewId, outcome });
          host.stateChanged();
        },
      },
      this.guard,
    );
    this.terminals = new ClientTerminals(
      () => env.workspaceRoot() ?? process.cwd(),
      (t) => env.terminalStarted(t),
    );
  }

  /** Registers the agent → client request handlers on an ACP client app. */
  register(app: ClientApp): ClientApp {
    return app
      .onRequest('fs/read_text_file', ({ params }) => this.readTextFile(params))
      .onRequest('fs/write_text_file', async ({ params }) => {
        await this.writeTextFile(params);
        return {};
      })
      .onRequest('session/request_permission', ({ params, signal }) => this.requestPermission(params, signal))
      .onRequest('terminal/create', ({ params }) => this.terminals.create(params))
      .onRequest('terminal/output', ({ params }) => this.terminals.output(params.terminalId))
      .onRequest('terminal/wait_for_exit', ({ params }) => this.terminals.waitForExit(params.terminalId))
      .onRequest('terminal/kill', ({ params }) => {
        this.terminals.kill(params.terminalId);
        return {};
      })
      .onRequest('terminal/release', ({ params }) => {
        this.terminals.release(params.terminalId);
        return {};
      });
  }

  /** Ends everything waiting on the user (the server is gone). */
  cancelAll(): void {
    this.permissions.cancelSession(null);
    this.reviews.cancelSession(null);
    this.terminals.disposeAll();
  }

  async readTextFile(p: ReadTextFileRequest) {
    const text = await refusedAsRequestError(async () => {
      this.guard.check(p.path);
      return this.env.openDocumentText(p.path) ?? (await this.guard.readFile(p.path));
    });
    if (p.line == null && p.limit == null) return { content: text };
    const lines = text.split('\n');
    const start = Math.max(0, (p.line ?? 1) - 1);
    const end = p.limit == null ? lines.length : start + p.limit;
    return { content: lines.slice(start, end).join('\n') };
  }

  async writeTextFile(p: WriteTextFileRequest): Promise<void> {
    // Checked here, and again by the review right before it writes (after the user's answer).
    const outcome = await refusedAsRequestError(() =>
      this.reviews.propose({
        sessionId: p.sessionId,
        path: p.path,
        newText: p.content,
        source: 'write',
        toolCallId: this.host.editToolCallFor(p.path),
        autoApply: this.env.autoApprove().edits,
      }),
    );
    if (outcome === 'accepted') return;
    throw new RequestError(
      -32000,
      outcome === 'rejected'
        ? `The user rejected this edit; ${p.path} was not changed.`
        : `The edit was cancelled; ${p.path} was not changed.`,
    );
  }

  async requestPermission(
    request: RequestPermissionRequest,
    signal: AbortSignal,
  ): Promise<RequestPermissionResponse> {
    const auto = autoApprovalOption(request, this.env.autoApprove());
    if (auto) {
      this.env.log(`[cairn] auto-approved (${request.toolCall.kind}): ${request.toolCall.title ?? ''}`);
      return { outcome: { outcome: 'selected', optionId: auto.optionId } };
    }
    const diff = request.toolCall.content?.find((c) => c.type === 'diff');
    const hasDiff = diff?.type === 'diff';
    const toolCallId = request.toolCall.toolCallId;
    const { card, answer, show } = this.permissions.ask(request, signal, { deferShow: hasDiff });
    if (diff && diff.type === 'diff') {
      this.heldPermissions.set(toolCallId, show);
      void answer.finally(() => this.heldPermissions.delete(toolCallId));
      // The diff editor answers the same request: Accept / Reject map to the agent's options;
      // an answer from the card (or a cancel) closes the diff.
      const answered = new AbortController();
      void answer.finally(() => answered.abort());
      void this.reviews
        .propose(
          {
            sessionId: request.sessionId,
            path: diff.path,
            newText: diff.newText,
            source: 'permission',
            toolCallId: request.toolCall.toolCallId,
            autoApply: false,
          },
          answered.signal,
        )
        .then((outcome) => {
          if (outcome === 'cancelled' || !this.permissions.get(card.requestId)) return;
          const option = reviewAnswerOption(request.options, outcome === 'accepted');
          this.permissions.answer(card.requestId, option?.optionId ?? null);
        })
        .catch((err) => {
          // No review to answer from: the plain card must still let the user decide.
          this.showHeldPermission(toolCallId);
          this.host.reportError(err);
        });
    }
    return await answer;
  }

  private showHeldPermission(toolCallId: string): void {
    const show = this.heldPermissions.get(toolCallId);
    this.heldPermissions.delete(toolCallId);
    show?.();
  }

  /** Streams a client terminal's output to the chat (tool-call `terminal` content). */
  forwardTerminal(terminalId: string): void {
    if (this.forwardedTerminals.has(terminalId)) return;
    const terminal = this.terminals.find(terminalId);
    if (!terminal) return;
    this.forwardedTerminals.add(terminalId);
    let timer: NodeJS.Timeout | null = null;
    const send = () => {
      timer = null;
      this.host.notify('terminal/output', {
        terminalId,
        output: terminal.buffer.output,
        truncated: terminal.buffer.truncated,
        exitStatus: terminal.exitStatus,
      });
    };
    // Coalesce bursts of output into one message per 100 ms.
    const schedule = () => (timer ??= setTimeout(send, 100));
    terminal.onData(schedule);
    terminal.onExit(() => {
      if (timer) clearTimeout(timer);
      send();
      this.forwardedTerminals.delete(terminalId);
    });
    schedule();
  }
}

/** A refused path reaches the agent as a plain request error saying why; nothing was read or written. */
async function refusedAsRequestError<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof PathRefusedError) throw new RequestError(-32000, `Refused: ${err.message}`);
    throw err;
  }
}
