import * as acp from '@agentclientprotocol/sdk';
import { z } from 'zod';
import type { AgentSession } from '../runtime/agent-session.js';
import type { CheckpointListItem } from '../runtime/checkpoint-views.js';
import type { SessionCheckpoints } from '../runtime/session-checkpoints.js';
import type { SessionHost } from '../runtime/session-host.js';

/** Cairn's checkpoint extension methods and notification (ACP `_`-prefixed names). */
export const CAIRN_CHECKPOINT_NOTIFICATION = '_cairn/checkpoint';
export const CAIRN_CHECKPOINTS_LIST = '_cairn/checkpoints/list';
export const CAIRN_CHECKPOINTS_PREVIEW = '_cairn/checkpoints/preview';
export const CAIRN_CHECKPOINTS_RESTORE = '_cairn/checkpoints/restore';

export interface CheckpointRequestDeps {
  host: SessionHost;
}

const ListParams = z.object({ sessionId: z.string().min(1) });
const PreviewParams = z.object({ sessionId: z.string().min(1), checkpointId: z.string().min(1) });
const RestoreParams = z.object({
  sessionId: z.string().min(1),
  checkpointId: z.string().min(1),
  conversation: z.boolean(),
});

function parser<T>(schema: z.ZodType<T>): (params: unknown) => T {
  return (params) => {
    const parsed = schema.safeParse(params);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'params'}: ${i.message}`);
      throw acp.RequestError.invalidParams({ issues }, issues[0]);
    }
    return parsed.data;
  };
}

/** The `_cairn/checkpoint` notification's params for a session's `checkpoint` event. */
export function checkpointNotification(sessionId: string, checkpoint: CheckpointListItem) {
  return { sessionId, checkpoint };
}

/**
 * `_cairn/checkpoints/list|preview|restore`: a session's checkpoints, what restoring one would
 * change, and the restore itself (files; with `conversation`, also a fork of the session before
 * that checkpoint's prompt, which the client then loads). Translation only: SessionCheckpoints
 * and the session host do the work.
 */
export function registerCheckpointRequests(app: acp.AgentApp, deps: CheckpointRequestDeps): void {
  const live = async (
    sessionId: string,
  ): Promise<{ session: AgentSession; checkpoints: SessionCheckpoints }> => {
    const session = deps.host.get(sessionId);
    // Checkpoints are part of what a session builds after its answer.
    const checkpoints = session && (await session.ready()).checkpoints;
    if (!session || !checkpoints) throw acp.RequestError.sessionNotFound(sessionId);
    return { session, checkpoints };
  };
  const notFound = (checkpointId: string, why: string) =>
    acp.RequestError.invalidParams({ checkpointId }, why);

  app.onRequest(CAIRN_CHECKPOINTS_LIST, parser(ListParams), async ({ params }) =>
    (await live(params.sessionId)).checkpoints.listing(),
  );

  app.onRequest(CAIRN_CHECKPOINTS_PREVIEW, parser(PreviewParams), async ({ params }) => {
    const files = await (await live(params.sessionId)).checkpoints.preview(params.checkpointId);
    if (typeof files === 'string') throw notFound(params.checkpointId, files);
    return { files };
  });

  app.onRequest(CAIRN_CHECKPOINTS_RESTORE, parser(RestoreParams), async ({ params }) => {
    const { session, checkpoints } = await live(params.sessionId);
    if (session.isRunning)
      throw acp.RequestError.invalidRequest(
        { sessionId: session.id },
        'A turn is running; wait for it to end (or cancel it) before restoring files.',
      );
    let forkSessionId: string | undefined;
    if (params.conversation) {
      // Forked first: a fork point the session lacks fails before any file changes.
      const fork = await checkpoints.forkBefore(params.checkpointId);
      if (!fork.ok) throw notFound(params.checkpointId, fork.message);
      forkSessionId = fork.id;
    }
    const attempt = await checkpoints.restoreTo(params.checkpointId);
    // "Nothing to restore" is an answer, not an error: the files are as asked.
    if (attempt.kind === 'refused') throw notFound(params.checkpointId, attempt.message);
    const result = attempt.kind === 'restored' ? attempt.result : undefined;
    return {
      restored: result?.files.map((f) => f.path) ?? [],
      kept: result?.kept ?? [],
      ...(result?.failed.length ? { failed: result.failed } : {}),
      ...(result?.undo ? { undoCheckpointId: result.undo.id } : {}),
      ...(forkSessionId ? { forkSessionId } : {}),
    };
  });
}
