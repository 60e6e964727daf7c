import * as path from 'node:path';
import type * as acp from '@agentclientprotocol/sdk';
import type { SessionMeta } from '../history/index.js';
import type { JobRunMarks } from '../jobs/job-run-marks.js';
import type { AgentSession } from '../runtime/agent-session.js';
import type { ClientBindings } from '../runtime/session-factory.js';
import { SessionNotFoundError, type SessionHost } from '../runtime/session-host.js';
import { replayUpdates } from './history-replay.js';
import { configOptions, modeState } from './session-config.js';
import type { ClientSupports } from './session-updates.js';
import { RequestError, type AgentApp, type AgentContext } from './rpc/index.js';

export interface HistoryRequestDeps {
  host: SessionHost;
  bindings(client: AgentContext, sessionId: string): ClientBindings;
  /** A session the client now knows: its events go to the client, its commands are announced. */
  attach(client: AgentContext, session: AgentSession): void;
  send(client: AgentContext, sessionId: string, update: acp.SessionUpdate): Promise<void>;
  clientSupports(): ClientSupports;
  /** Job runs' outcomes and unseen flags (`_meta.cairn` in session/list); opening one marks it seen. */
  jobRuns?: () => Promise<Pick<JobRunMarks, 'all' | 'markSeen'>>;
}

/**
 * The ACP methods for sessions that outlive the process: `session/list`, `session/load` (with
 * the conversation replayed), `session/resume` and `session/delete`. Translation only: the
 * session host does the work.
 */
export function registerHistoryRequests(app: AgentApp, deps: HistoryRequestDeps): void {
  const { host } = deps;

  app.onRequest('session/list', async ({ params }) => {
    let page;
    try {
      page = await host.list({
        cwd: params.cwd ?? undefined,
        cursor: params.cursor ?? undefined,
        ...childrenQuery(params._meta),
      });
    } catch (err) {
      if (/cursor/.test((err as Error).message))
        throw RequestError.invalidParams({ cursor: params.cursor }, (err as Error).message);
      throw err;
    }
    const marks = deps.jobRuns ? await (await deps.jobRuns()).all() : {};
    return {
      sessions: page.sessions.map((s) => sessionInfo(s, marks)),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    };
  });

  const bringBack = async (
    client: AgentContext,
    params: {
      sessionId: string;
      cwd: string;
      additionalDirectories?: string[];
      mcpServers?: acp.McpServer[];
    },
  ) => {
    if (!path.isAbsolute(params.cwd))
      throw RequestError.invalidParams({ field: 'cwd' }, `cwd must be an absolute path, got "${params.cwd}"`);
    try {
      const restored = await host.restore((id) => deps.bindings(client, id), params);
      await (await deps.jobRuns?.())?.markSeen(params.sessionId);
      return restored;
    } catch (err) {
      if (err instanceof SessionNotFoundError) throw RequestError.resourceNotFound(err.sessionId);
      throw err;
    }
  };

  app.onRequest('session/load', async ({ params, client }) => {
    const { session, transcript } = await bringBack(client, params);
    for (const update of replayUpdates(transcript, deps.clientSupports()))
      await deps.send(client, session.id, update);
    deps.attach(client, session);
    return { modes: modeState(session), configOptions: configOptions(session) };
  });

  app.onRequest('session/resume', async ({ params, client }) => {
    const { session } = await bringBack(client, params);
    deps.attach(client, session);
    return { modes: modeState(session), configOptions: configOptions(session) };
  });

  app.onRequest('session/delete', async ({ params }) => {
    try {
      await host.delete(params.sessionId);
    } catch (err) {
      if (err instanceof SessionNotFoundError) throw RequestError.resourceNotFound(err.sessionId);
      throw err;
    }
    return {};
  });
}

/** `_meta.cairn.includeChildren` / `parentSessionId`: delegated tasks' sessions are hidden otherwise. */
function childrenQuery(meta: unknown): { includeChildren?: boolean; parentSessionId?: string } {
  const cairn = (meta as { cairn?: { includeChildren?: unknown; parentSessionId?: unknown } } | null)?.cairn;
  if (typeof cairn?.parentSessionId === 'string' && cairn.parentSessionId)
    return { parentSessionId: cairn.parentSessionId };
  return cairn?.includeChildren === true ? { includeChildren: true } : {};
}

function sessionInfo(
  s: SessionMeta,
  marks: Record<string, { outcome: string; unseen: boolean }>,
): acp.SessionInfo {
  const mark = marks[s.id];
  // History fixes the origin before a job run ends; its outcome comes from the run's mark.
  const origin = s.origin?.kind === 'job' && mark ? { ...s.origin, outcome: mark.outcome } : s.origin;
  return {
    sessionId: s.id,
    cwd: s.cwd,
    title: s.title ?? null,
    updatedAt: new Date(s.updatedAt).toISOString(),
    ...(origin ? { _meta: { cairn: { origin, ...(mark?.unseen ? { unseen: true } : {}) } } } : {}),
  };
}
