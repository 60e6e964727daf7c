import * as acp from '@agentclientprotocol/sdk';
import { z } from 'zod';
import type { AgentSession } from '../runtime/agent-session.js';
import type { ClientBindings } from '../runtime/session-factory.js';
import { ForkPointError } from '../runtime/session-fork.js';
import { SessionNotFoundError, type SessionHost } from '../runtime/session-host.js';
import { requireAbsolute } from './input-checks.js';
import { configOptions, modeState } from './session-config.js';

/** Cairn's extension methods and notifications (ACP `_`-prefixed names). */
export const CAIRN_QUEUE_NOTIFICATION = '_cairn/queue';
export const CAIRN_QUEUE_REMOVE = '_cairn/queue/remove';

export interface ConversationRequestDeps {
  host: SessionHost;
  bindings(client: acp.AgentContext, sessionId: string): ClientBindings;
  attach(client: acp.AgentContext, session: AgentSession): void;
}

const meta = z.record(z.string(), z.unknown()).nullish();

const ForkParams = z.object({
  sessionId: z.string().min(1),
  cwd: z.string(),
  additionalDirectories: z.array(z.string()).optional(),
  mcpServers: z.array(z.unknown()).optional(),
  _meta: z
    .object({ cairn: z.object({ beforeUserMessage: z.number().int().min(0).optional() }).optional() })
    .passthrough()
    .nullish(),
});

const SetTitleParams = z.object({ sessionId: z.string().min(1), title: z.string(), _meta: meta });

const QueueRemoveParams = z.object({ sessionId: z.string().min(1), index: z.number().int() });

/** A zod schema as the SDK's params parser: bad params are answered `invalid params`, naming the problem. */
function parser<T>(schema: z.ZodType<T>): (params: unknown) => T {
  return (params) => {
    const parsed = schema.safeParse(params);
    if (!parsed.success)
      throw acp.RequestError.invalidParams(
        { issues: parsed.error.issues.map((i) => `${i.path.join('.') || 'params'}: ${i.message}`) },
        parsed.error.issues[0]?.message,
      );
    return parsed.data;
  };
}

/**
 * The ACP methods that shape a conversation: `session/fork` and `session/set_title` (unstable
 * in the SDK, advertised in `sessionCapabilities`) and the `_cairn/queue/remove` extension
 * request. Translation only: the session host and the session do the work.
 */
export function registerConversationRequests(app: acp.AgentApp, deps: ConversationRequestDeps): void {
  const { host } = deps;

  app.onRequest('session/fork', parser(ForkParams), async ({ params, client }) => {
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
      if (err instanceof SessionNotFoundError) throw acp.RequestError.resourceNotFound(err.sessionId);
      if (err instanceof ForkPointError)
        throw acp.RequestError.invalidParams({ beforeUserMessage }, err.message);
      throw err;
    }
    deps.attach(client, session);
    return { sessionId: session.id, modes: modeState(session), configOptions: configOptions(session) };
  });

  app.onRequest('session/set_title', parser(SetTitleParams), async ({ params }) => {
    if (!params.title.trim())
      throw acp.RequestError.invalidParams({ title: params.title }, 'A title needs some text.');
    try {
      return { title: await host.setTitle(params.sessionId, params.title) };
    } catch (err) {
      if (err instanceof SessionNotFoundError) throw acp.RequestError.resourceNotFound(err.sessionId);
      throw err;
    }
  });

  app.onRequest(CAIRN_QUEUE_REMOVE, parser(QueueRemoveParams), ({ params }) => {
    const session = host.get(params.sessionId);
    if (!session) throw acp.RequestError.sessionNotFound(params.sessionId);
    return { removed: session.removeQueued(params.index) };
  });
}
