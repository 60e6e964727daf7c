import type { TurnOutcome } from '../core/events.js';
import type { SessionOrigin } from '../history/index.js';
import type { PermissionPrompter } from '../permissions/gate.js';
import type { SessionMode } from '../permissions/policy.js';
import type { RuntimeServices } from '../runtime/services.js';
import { SessionHost } from '../runtime/session-host.js';
import { DiskWorkspace } from '../workspace/disk-workspace.js';
import { errorMessage } from '../../shared/error-message.js';

/** One headless prompt: what a job or batch task asks of the session runtime. */
export interface HeadlessRunRequest {
  cwd: string;
  prompt: string;
  mode: SessionMode;
  /** Answers permission requests; nobody is there to ask. */
  prompter: PermissionPrompter;
  /** The session's name in history (e.g. the job's name and time). */
  title: string;
  /** Where the run comes from (a job, a batch task), recorded with the session in history. */
  origin: SessionOrigin;
  /** A model other than the configured one (a batch task's `model`). */
  model?: string;
  signal?: AbortSignal;
}

export interface HeadlessToolCall {
  toolCallId: string;
  title: string;
  outcome?: string;
  reason?: string;
  /** Not run because permission was refused (by the mode or the prompter). */
  refused: boolean;
}

export interface HeadlessRunResult {
  /** The session in history; undefined when the session could not even be created. */
  sessionId?: string;
  stopReason?: TurnOutcome['stopReason'];
  /** Why the run failed (model error, configuration), in words for the user. */
  error?: string;
  /** The assistant's text of the turn. */
  answer: string;
  /** Context in use after the turn (estimated when the model reported none). */
  tokens?: number;
  toolCalls: HeadlessToolCall[];
}

/**
 * Runs one prompt as a normal, recorded session through the session runtime (`SessionHost`,
 * the API every front end drives) with files on the disk and no client. Everything the job
 * and batch runners need from a session goes through here, so the runtime can change behind it.
 */
export async function runHeadlessSession(
  services: RuntimeServices,
  request: HeadlessRunRequest,
  log: (line: string) => void,
): Promise<HeadlessRunResult> {
  const host = new SessionHost({ services: () => services, log });
  const calls = new Map<string, HeadlessToolCall>();
  let answer = '';
  let tokens: number | undefined;
  let sessionId: string | undefined;
  let liveId: string | undefined;
  try {
    const session = await host.create(
      () => ({
        prompter: request.prompter,
        workspace: (paths) => new DiskWorkspace(paths),
        // A job's grants are its own: never read or write the user's "always" answers.
        persistRules: false,
        unattended: true,
      }),
      {
        cwd: request.cwd,
        mode: request.mode,
        origin: request.origin,
        ...(request.model ? { modelId: request.model } : {}),
      },
    );
    liveId = session.id;
    sessionId = session.historyId ?? session.id;
    const unsubscribe = session.subscribe((event) => {
      if (event.type === 'text') answer += event.delta;
      else if (event.type === 'usage') tokens = event.usedTokens;
      else if (event.type === 'tool_call')
        calls.set(event.toolCallId, { toolCallId: event.toolCallId, title: event.title, refused: false });
      else if (event.type === 'tool_call_update') {
        const call = calls.get(event.toolCallId);
        if (!call) return;
        if (event.title) call.title = event.title;
        if (event.outcome) call.outcome = event.outcome;
        if (event.reason) call.reason = event.reason;
        // A changing tool called in plan mode ends `failed` before any permission request,
        // typed as refused by the mode: for a job that is a refusal like any other.
        if (event.outcome) call.refused = event.outcome === 'rejected' || event.refusal !== undefined;
      }
    });
    const onAbort = () => void session.cancel();
    request.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (request.signal?.aborted) return { sessionId, stopReason: 'cancelled', answer, toolCalls: [] };
      const outcome = await session.prompt({ role: 'user', content: request.prompt });
      // Named after the turn, replacing the title the first exchange gave it.
      if (session.historyId) await host.history().updateSession(session.historyId, { title: request.title });
      return {
        sessionId,
        stopReason: outcome.stopReason,
        ...(outcome.error ? { error: outcome.error.message } : {}),
        answer,
        ...(tokens !== undefined ? { tokens } : {}),
        toolCalls: [...calls.values()],
      };
    } finally {
      request.signal?.removeEventListener('abort', onAbort);
      unsubscribe();
    }
  } catch (err) {
    return {
      ...(sessionId ? { sessionId } : {}),
      error: errorMessage(err),
      answer,
      toolCalls: [...calls.values()],
    };
  } finally {
    // Only the session: history and MCP servers belong to the caller's services, shared by runs.
    if (liveId) await host.close(liveId);
  }
}
