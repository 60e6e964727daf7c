import type * as acp from '@agentclientprotocol/sdk';
import { ACP_PARAMS, EMPTY_OBJECT_ANSWER } from './acp-params.js';
import { JsonRpcConnection, type IncomingRequest } from './connection.js';
import { ConnectionAgentContext, type AgentContext } from './context.js';
import type { JsonRpcId, MessageStream } from './messages.js';
import { RequestError } from './request-error.js';

type MaybePromise<T> = T | Promise<T>;

export interface RequestContext<P> {
  method: string;
  params: P;
  requestId: JsonRpcId;
  /** Aborted by the client's `$/cancel_request` for this request, or when the connection closes. */
  signal: AbortSignal;
  client: AgentContext;
}
export interface NotificationContext<P> {
  method: string;
  params: P;
  signal: AbortSignal;
  client: AgentContext;
}
export type RequestHandler<P, R> = (context: RequestContext<P>) => MaybePromise<R>;
export type NotificationHandler<P> = (context: NotificationContext<P>) => MaybePromise<void>;
export type ParamsParser<P> = ((raw: unknown) => P) | { parse(raw: unknown): P };

/** One served connection: `client` calls the client outside any request. */
export interface AgentConnection {
  readonly client: AgentContext;
  readonly signal: AbortSignal;
  /** Resolves when the connection closes, for whatever reason. */
  readonly closed: Promise<void>;
  close(error?: unknown): void;
}

interface Registered {
  parse: (raw: unknown) => unknown;
  handle: (context: RequestContext<unknown> & NotificationContext<unknown>) => unknown;
}

function parserOf(parser: ParamsParser<unknown>): (raw: unknown) => unknown {
  return typeof parser === 'function' ? parser : (raw) => parser.parse(raw);
}

/**
 * The agent side of ACP with the subset of the SDK's `AgentApp` API Cairn uses (`onRequest`,
 * `onNotification`, `connect`), over Cairn's own JSON-RPC connection: params are checked by
 * acp-params.ts instead of the SDK's zod schemas, so serving a client never loads them.
 */
export class AgentApp {
  private readonly requests = new Map<string, Registered>();
  private readonly notifications = new Map<string, Registered>();
  /** As in the SDK: only an `initialize` registered without a parser of its own gates the rest. */
  private gated = false;

  constructor(readonly name?: string) {}

  onRequest<M extends acp.AgentRequestMethod>(
    method: M,
    handler: RequestHandler<acp.AgentRequestParamsByMethod[M], acp.AgentRequestResponsesByMethod[M] | void>,
  ): this;
  onRequest<P, R>(method: string, parser: ParamsParser<P>, handler: RequestHandler<P, R>): this;
  onRequest(
    method: string,
    parserOrHandler: ParamsParser<unknown> | RequestHandler<never, unknown>,
    handler?: RequestHandler<never, unknown>,
  ): this {
    this.register(this.requests, 'request', method, parserOrHandler, handler);
    if (!handler && method === 'initialize') this.gated = true;
    return this;
  }

  onNotification<M extends acp.AgentNotificationMethod>(
    method: M,
    handler: NotificationHandler<acp.AgentNotificationParamsByMethod[M]>,
  ): this;
  onNotification<P>(method: string, parser: ParamsParser<P>, handler: NotificationHandler<P>): this;
  onNotification(
    method: string,
    parserOrHandler: ParamsParser<unknown> | NotificationHandler<never>,
    handler?: NotificationHandler<never>,
  ): this {
    this.register(this.notifications, 'notification', method, parserOrHandler, handler);
    return this;
  }

  private register(
    table: Map<string, Registered>,
    kind: string,
    method: string,
    parserOrHandler: unknown,
    handler: unknown,
  ): void {
    let parse: (raw: unknown) => unknown;
    if (handler) parse = parserOf(parserOrHandler as ParamsParser<unknown>);
    else {
      const builtIn = ACP_PARAMS[method];
      if (!builtIn)
        throw new Error(`Unknown ACP ${kind} method '${method}'. Pass a params parser for custom methods.`);
      // As the SDK: a request's missing params are `{}`, a notification's are not.
      parse = kind === 'request' ? (raw) => builtIn(raw ?? {}) : builtIn;
    }
    // The first registration wins, as in the SDK's handler chain.
    if (!table.has(method))
      table.set(method, { parse, handle: (handler ?? parserOrHandler) as Registered['handle'] });
  }

  connect(stream: MessageStream): AgentConnection {
    let initialized = false;
    const connection: JsonRpcConnection = new JsonRpcConnection(stream, {
      request: async (request: IncomingRequest) => {
        if (this.gated && !initialized && request.method !== 'initialize')
          throw RequestError.invalidRequest(
            undefined,
            `ACP connection must be initialized before '${request.method}'`,
          );
        const entry = this.requests.get(request.method);
        if (!entry) throw RequestError.methodNotFound(request.method);
        const params = entry.parse(request.params);
        const answer = await entry.handle({
          method: request.method,
          params,
          requestId: request.id,
          signal: request.signal,
          client: new ConnectionAgentContext(connection, request.id),
        });
        // Recorded before the answer goes out, so the client's next request is never refused.
        if (request.method === 'initialize') initialized = true;
        return EMPTY_OBJECT_ANSWER.has(request.method) ? (answer ?? {}) : answer;
      },
      notification: async (method, raw) => {
        const entry = this.notifications.get(method);
        if (!entry) return;
        const params = entry.parse(raw);
        await entry.handle({
          method,
          params,
          requestId: undefined as never,
          signal: connection.signal,
          client: new ConnectionAgentContext(connection),
        });
      },
    });
    return {
      client: new ConnectionAgentContext(connection),
      signal: connection.signal,
      closed: connection.closed,
      close: (error) => connection.close(error),
    };
  }
}

/** `agent({ name })` as in the SDK. */
export function agent(options: { name?: string } = {}): AgentApp {
  return new AgentApp(options.name);
}
