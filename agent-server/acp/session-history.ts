import * as path from 'node:path';
import * as acp from '@agentclientprotocol/sdk';
import type { SessionMeta } from '../history/index.js';
import type { AgentSession } from '../runtime/agent-session.js';
import type { ClientBindings } from '../runtime/session-factory.js';
import { SessionNotFoundError, type SessionHost } from '../runtime/session-host.js';
import { replayUpdates } from './history-replay.js';
import { configOptions, modeState } from './session-config.js';
import type { ClientSupports } from './session-updates.js';

export interface HistoryRequestDeps {
  host: SessionHost;
  bindings(client: acp.AgentContext, sessionId: string): ClientBindings;
  /** A session the client now knows: its events go to the client, its commands are announced. */
  attach(client: acp.AgentContext, session: AgentSession): void;
  send(client: acp.AgentContext, sessionId: string, update: acp.SessionUpdate): Promise<void>;
  clientSupports(): ClientSupports;
}

/**
 * The ACP methods for sessions that outlive the process: `session/list`, `session/load` (with
 * the conversation replayed), `session/resume` and `session/delete`. Translation only: the
 * session host does the work.
 */
export function registerHistoryRequests(app: acp.AgentApp, deps: HistoryRequestDeps): void {
  const { host } = deps;

  app.onRequest('session/list', async ({ params }) => {
    let page;
    try {
      page = await host.list({ cwd: params.cwd ?? undefined, cursor: params.cursor ?? undefined });
    } catch (err) {
      if (/cursor/.test((err as Error).message))
        throw acp.RequestError.invalidParams({ cursor: params.cursor }, (err as Error).message);
      throw err;
    }
    return {
      sessions: page.sessions.map(sessionInfo),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    };
  });

  const bringBack = async (
    client: acp.AgentContext,
    params: {
      sessionId: string;
      cwd: string;
      additionalDirectories?: string[];
      mcpServers?: acp.McpServer[];
    },
  ) => {
    if (!path.isAbsolute(params.cwd))
      throw acp.RequestError.invalidParams(
        { field: 'cwd' },
        `cwd must be an absolute path, got "${params.cwd}"`,
      );
    try {
      return await host.restore((id) => deps.bindings(client, id), params);
    } catch (err) {
      if (err instanceof SessionNotFoundError) throw acp.RequestError.resourceNotFound(err.sessionId);
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
      if (err instanceof SessionNotFoundError) throw acp.RequestError.resourceNotFound(err.sessionId);
      throw err;
    }
    return {};
  });
}

function sessionInfo(s: SessionMeta): acp.SessionInfo {
  return {
    sessionId: s.id,
    cwd: s.cwd,
    title: s.title ?? null,
    updatedAt: new Date(s.updatedAt).toISOString(),
  };
}
