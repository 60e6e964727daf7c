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

/** What answering the agent needs from the editor. */
export interface AgentRequestsEnvironment {
  workspaceRoot(): string | null;
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
  private readonly forwardedTerminals = new Set<string>();

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
    this.reviews = new EditReviews(env.reviews, {
      opened: (card) => {
        host.notify('review/opened', card);
        host.stateChanged();
      },
      resolved: (reviewId, outcome) => {
        host.notify('review/resolved', { reviewId, outcome });
        host.stateChanged();
      },
    });
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
    const text = await this.env.readText(p.path);
    if (p.line == null && p.limit == null) return { content: text };
    const lines = text.split('\n');
    const start = Math.max(0, (p.line ?? 1) - 1);
    const end = p.limit == null ? lines.length : start + p.limit;
    return { content: lines.slice(start, end).join('\n') };
  }

  async writeTextFile(p: WriteTextFileRequest): Promise<void> {
    const outcome = await this.reviews.propose({
      sessionId: p.sessionId,
      path: p.path,
      newText: p.content,
      source: 'write',
      toolCallId: this.host.editToolCallFor(p.path),
      autoApply: this.env.autoApprove().edits,
    });
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
    const { card, answer } = this.permissions.ask(request, signal);
    const diff = request.toolCall.content?.find((c) => c.type === 'diff');
    if (diff && diff.type === 'diff') {
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
        .catch((err) => this.host.reportError(err));
    }
    return await answer;
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
