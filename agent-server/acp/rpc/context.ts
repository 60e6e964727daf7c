import type * as acp from '@agentclientprotocol/sdk';
import { checkClientAnswer } from './client-answers.js';
import type { JsonRpcConnection, SendRequestOptions } from './connection.js';
import type { JsonRpcId } from './messages.js';

/**
 * What an agent handler calls the client through (`client` in its context): ACP's client
 * methods typed as in the SDK's `AgentContext`, Cairn's `_cairn/...` ones by name. The client's
 * answers to the methods Cairn reads are checked (client-answers.ts): a malformed one rejects
 * with a message that says what is wrong rather than surfacing later as a TypeError.
 */
export interface AgentContext {
  readonly requestId?: JsonRpcId;
  notify<M extends acp.ClientNotificationMethod>(
    method: M,
    params: acp.ClientNotificationParamsByMethod[M],
  ): Promise<void>;
  notify<P = unknown>(method: string, params?: P): Promise<void>;
  request<M extends acp.ClientRequestMethod>(
    method: M,
    params: acp.ClientRequestParamsByMethod[M],
    options?: SendRequestOptions,
  ): Promise<acp.ClientRequestResponsesByMethod[M]>;
  request<R = unknown, P = unknown>(method: string, params?: P, options?: SendRequestOptions): Promise<R>;
  createTerminal(params: acp.CreateTerminalRequest, options?: SendRequestOptions): Promise<TerminalHandle>;
}

/** The client's terminal behind `terminal/create`, as the SDK's TerminalHandle offers it. */
export interface TerminalHandle {
  readonly id: string;
  currentOutput(): Promise<acp.TerminalOutputResponse>;
  waitForExit(): Promise<acp.WaitForTerminalExitResponse>;
  kill(): Promise<acp.KillTerminalResponse | void>;
  release(): Promise<acp.ReleaseTerminalResponse | void>;
}

export class ConnectionAgentContext implements AgentContext {
  constructor(
    private readonly connection: JsonRpcConnection,
    readonly requestId?: JsonRpcId,
  ) {}

  notify(method: string, params?: unknown): Promise<void> {
    return this.connection.sendNotification(method, params);
  }

  request<R>(method: string, params?: unknown, options?: SendRequestOptions): Promise<R> {
    return this.connection
      .sendRequest<unknown>(method, params, options)
      .then((answer) => checkClientAnswer(method, answer) as R);
  }

  async createTerminal(
    params: acp.CreateTerminalRequest,
    options?: SendRequestOptions,
  ): Promise<TerminalHandle> {
    const { terminalId } = await this.request<acp.CreateTerminalResponse>('terminal/create', params, options);
    const ids = { sessionId: params.sessionId, terminalId };
    return {
      id: terminalId,
      currentOutput: () => this.request('terminal/output', ids),
      waitForExit: () => this.request('terminal/wait_for_exit', ids),
      kill: () => this.request('terminal/kill', ids),
      release: () => this.request('terminal/release', ids),
    };
  }
}
