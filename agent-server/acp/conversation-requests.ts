import type * as acp from '@agentclientprotocol/sdk';
import type { AgentSession } from '../runtime/agent-session.js';
import type { ClientBindings } from '../runtime/session-factory.js';
import { ForkPointError } from '../runtime/session-fork.js';
import { SessionNotFoundError, type SessionHost } from '../runtime/session-host.js';
import { requireAbsolute } from './input-checks.js';
import { configOptions, modeState } from './session-config.js';
import { RequestError, type AgentApp, type AgentContext } from './rpc/index.js';
import { type Json, array, integer, optionalObject, sessionParams, string, strings } from './rpc/checks.js';
import { paramsParser } from './rpc/params.js';

/** Cairn's extension methods and notifications (ACP `_`-prefixed names). */
export const CAIRN_QUEUE_NOTIFICATION = '_cairn/queue';
export const CAIRN_QUEUE_REMOVE = '_cairn/queue/remove';

export interface ConversationRequestDeps {
  host: SessionHost;
  bindings(client: AgentContext, sessionId: string): ClientBindings;
  attach(client: AgentContext, session: AgentSession): void;
}

const P = 'params';

/** session/fork: Cairn's `_meta.cairn.beforeUserMessage` is the fork point, when given. */
const forkParams = paramsParser<{
  sessionId: string;
  cwd: string;
  additionalDirectories?: string[];
  mcpServers?: unknown[];
  _meta?: { cairn?: { beforeUserMessage?: number } } | null;
}>((raw) => {
  const o = sessionParams(raw);
  string(o.cwd, `${P}.cwd`);
  if (o.additionalDirectories !== undefined) strings(o.additionalDirectories, `${P}.additionalDirectories`);
  if (o.mcpServers !== undefined) array(o.mcpServers, `${P}.mcpServers`);
  optionalObject(o._meta, `${P}._meta`);
  const cairn = (o._meta as Json | null | undefined)?.cairn;
  optionalObject(cairn, `${P}._meta.cairn`);
  const before = (cairn as Json | null | undefined)?.beforeUserMessage;
  if (before !== undefined) integer(before, `${P}._meta.cairn.beforeUserMessage`, 0);
  return o;
});

const setTitleParams = paramsParser<{ sessionId: string; title: string }>((raw) => {
  const o = sessionParams(raw);
  string(o.title, `${P}.title`);
  optionalObject(o._meta, `${P}._meta`);
  return o;
});

const queueRemoveParams = paramsParser<{ sessionId: string; index: number }>((raw) => {
  const o = sessionParams(raw);
  integer(o.index, `${P}.index`);
  return o;
});

/**
 * The ACP methods that shape a conversation: `session/fork` and `session/set_title` (unstable
 * in the SDK, advertised in `sessionCapabilities`) and the `_cairn/queue/remove` extension
 * request. Translation only: the session host and the session do the work.
 */
export function registerConversationRequests(app: AgentApp, deps: ConversationRequestDeps): void {
  const { host } = deps;

  app.onRequest('session/fork', forkParams, async ({ params, client }) => {
    const cwd = requireAbsolute(params.cwd, 'cwd');
    const additionalDirectories = (params.additionalDirectories ?? []).map((d) =>
      requireAbsolute(d, 'additionalDirectories'),
    );
    const beforeUserMessage = params._meta?.cairn?.beforeUserMessage;
    let session: AgentSession;
    try {
      session = await host.fork(params.sessionId, (id) => deps.bindings(client, id), {
        cwd,
        additionalDirectories,
        mcpServers: (params.mcpServers ?? []) as acp.McpServer[],
        ...(beforeUserMessage !== undefined ? { beforeUserMessage } : {}),
      });
    } catch (err) {
      if (err instanceof SessionNotFoundError) throw RequestError.resourceNotFound(err.sessionId);
      if (err instanceof ForkPointError) throw RequestError.invalidParams({ beforeUserMessage }, err.message);
      throw err;
    }
    deps.attach(client, session);
    return { sessionId: session.id, modes: modeState(session), configOptions: configOptions(session) };
  });

  app.onRequest('session/set_title', setTitleParams, async ({ params }) => {
    if (!params.title.trim())
      throw RequestError.invalidParams({ title: params.title }, 'A title needs some text.');
    try {
      return { title: await host.setTitle(params.sessionId, params.title) };
    } catch (err) {
      if (err instanceof SessionNotFoundError) throw RequestError.resourceNotFound(err.sessionId);
      throw err;
    }
  });

  app.onRequest(CAIRN_QUEUE_REMOVE, queueRemoveParams, ({ params }) => {
    const session = host.get(params.sessionId);
    if (!session) throw RequestError.sessionNotFound(params.sessionId);
    return { removed: session.removeQueued(params.index) };
  });
}
