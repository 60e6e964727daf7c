import {
  type AnyMessage,
  type JsonRpcId,
  type MessageStream,
  type NotificationMessage,
  type RequestMessage,
  isNotificationMessage,
  isRecord,
  isJsonRpcId,
  isRequestMessage,
  isResponseMessage,
  isResponseShaped,
} from './messages.js';
import {
  RequestError,
  errorToErrorObject,
  requestCancelledError,
  requestErrorObject,
  type JsonRpcErrorObject,
} from './request-error.js';

export const CANCEL_REQUEST_METHOD = '$/cancel_request';

/** As the SDK's `SendRequestOptions`: aborting sends `$/cancel_request` for the request. */
export interface SendRequestOptions {
  cancellationSignal?: AbortSignal;
  /** Also stop waiting: reject at once with -32800; a late answer is dropped quietly. */
  stopWaitingOnCancel?: boolean;
}

export interface IncomingRequest {
  id: JsonRpcId;
  method: string;
  params: unknown;
  /** Aborted by `$/cancel_request` for this id, or when the connection closes. */
  signal: AbortSignal;
}

/** Who answers what arrives: a request's result (or a throw), a notification's effect. */
export interface MessageHandlers {
  request(request: IncomingRequest): Promise<unknown>;
  notification(method: string, params: unknown): Promise<void>;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  abandoned?: boolean;
  cleanup?: () => void;
}

/**
 * One JSON-RPC 2.0 connection over a stream of parsed messages, with the ACP SDK's rules:
 * calls are handled as they arrive (not one after another), an answer goes out once its handler
 * settles, nothing is sent once the connection closed, outgoing requests still waiting are
 * rejected when it closes, and `$/cancel_request` aborts the named request's signal.
 */
export class JsonRpcConnection {
  private readonly pending = new Map<JsonRpcId, Pending>();
  private readonly incoming = new Map<JsonRpcId, AbortController>();
  private readonly aborter = new AbortController();
  private nextId = 0;
  private writeQueue: Promise<void> = Promise.resolve();
  private reader: ReadableStreamDefaultReader<AnyMessage> | undefined;
  readonly closed: Promise<void>;

  constructor(
    private readonly stream: MessageStream,
    private readonly handlers: MessageHandlers,
  ) {
    this.closed = new Promise((resolve) => this.aborter.signal.addEventListener('abort', () => resolve()));
    void this.receive();
  }

  /** Aborted when the connection closes; its reason is why. */
  get signal(): AbortSignal {
    return this.aborter.signal;
  }

  sendRequest<T>(method: string, params: unknown, options: SendRequestOptions = {}): Promise<T> {
    if (this.signal.aborted) return rejected(this.closedReason());
    const id = this.nextId++;
    let cancel = () => {};
    const response = new Promise<T>((resolve, reject) => {
      const pending: Pending = { resolve: resolve as (v: unknown) => void, reject };
      let cancellationSent = false;
      cancel = () => {
        if (cancellationSent) return;
        cancellationSent = true;
        pending.cleanup?.();
        void this.sendNotification(CANCEL_REQUEST_METHOD, { requestId: id }).catch(() => {});
        if (options.stopWaitingOnCancel) {
          // Kept in `pending` so the peer's late answer is matched and dropped quietly.
          pending.abandoned = true;
          reject(requestCancelledError(options.cancellationSignal?.reason));
        }
      };
      options.cancellationSignal?.addEventListener('abort', cancel, { once: true });
      pending.cleanup = () => options.cancellationSignal?.removeEventListener('abort', cancel);
      this.pending.set(id, pending);
    });
    response.catch(() => {});
    void this.send({ jsonrpc: '2.0', id, method, params }).catch(() => {});
    if (options.cancellationSignal?.aborted) cancel();
    return response;
  }

  sendNotification(method: string, params: unknown): Promise<void> {
    if (this.signal.aborted) return rejected(this.closedReason());
    return this.send({ jsonrpc: '2.0', method, params } as NotificationMessage);
  }

  /** Closes once: outgoing requests still waiting are rejected, incoming ones' signals aborted. */
  close(error?: unknown): void {
    if (this.signal.aborted) return;
    const reason = error ?? new Error('ACP connection closed');
    this.aborter.abort(reason);
    for (const pending of this.pending.values()) {
      pending.cleanup?.();
      pending.reject(reason);
    }
    this.pending.clear();
    for (const controller of this.incoming.values()) controller.abort(reason);
    this.incoming.clear();
    void this.reader?.cancel(reason).catch(() => {});
  }

  private closedReason(): unknown {
    return this.signal.reason ?? new Error('ACP connection closed');
  }

  private async receive(): Promise<void> {
    let closeError: unknown;
    try {
      const reader = this.stream.readable.getReader();
      this.reader = reader;
      try {
        while (!this.signal.aborted) {
          const { value, done } = await reader.read();
          if (this.signal.aborted || done) break;
          this.receiveMessage(value);
        }
      } finally {
        this.reader = undefined;
        reader.releaseLock();
      }
    } catch (err) {
      closeError = err;
    } finally {
      this.close(closeError);
    }
  }

  private receiveMessage(message: unknown): void {
    if (Array.isArray(message)) {
      // ACP has no batches: one -32600 with id null, none of the entries handled.
      this.sendProtocolError(RequestError.invalidRequest(undefined, 'JSON-RPC batches are not supported'));
      return;
    }
    if (isRequestMessage(message)) return this.receiveRequest(message);
    if (isNotificationMessage(message)) return this.receiveNotification(message);
    if (isResponseShaped(message)) return this.receiveResponse(message as Record<string, unknown>);
    // Not echoed back: a message may carry credentials (MCP `env`, `headers`).
    this.sendProtocolError(RequestError.invalidRequest());
  }

  private sendProtocolError(error: RequestError): void {
    void this.send({ jsonrpc: '2.0', id: null, error: error.toErrorResponse() }).catch(() => {});
  }

  private receiveRequest(message: RequestMessage): void {
    const controller = new AbortController();
    this.incoming.set(message.id, controller);
    const finish = () => {
      if (this.incoming.get(message.id) === controller) this.incoming.delete(message.id);
    };
    let answer: Promise<{ result: unknown } | { error: JsonRpcErrorObject }>;
    try {
      answer = this.handlers
        .request({
          id: message.id,
          method: message.method,
          params: message.params,
          signal: controller.signal,
        })
        .then((result) => ({ result: result ?? null }));
    } catch (err) {
      answer = Promise.reject(err as Error);
    }
    void answer
      .catch((err: unknown) => ({ error: requestErrorObject(err, controller.signal) }))
      .then(async (outcome) => {
        // Closed meanwhile: nobody to answer (the SDK drops it too).
        if (this.signal.aborted) return;
        await this.send({ jsonrpc: '2.0', id: message.id, ...outcome }).catch(() => {});
      })
      .finally(finish);
  }

  private receiveNotification(message: NotificationMessage): void {
    if (message.method === CANCEL_REQUEST_METHOD) this.cancelIncoming(message.params);
    let done: Promise<void>;
    try {
      done = this.handlers.notification(message.method, message.params);
    } catch (err) {
      done = Promise.reject(err as Error);
    }
    done.catch((err: unknown) => {
      if (this.signal.aborted) return;
      // Params and error data can carry credentials: only the method and the error's summary.
      const { code, message: text } = errorToErrorObject(err);
      console.error('Error handling notification', { method: message.method, code, message: text });
    });
  }

  private cancelIncoming(params: unknown): void {
    const requestId = isRecord(params) ? params.requestId : undefined;
    if (!isJsonRpcId(requestId)) return;
    const controller = this.incoming.get(requestId);
    if (!controller || controller.signal.aborted) return;
    controller.abort(RequestError.requestCancelled({ requestId }));
  }

  private receiveResponse(response: Record<string, unknown>): void {
    if (!('id' in response)) {
      console.error('Invalid message', { type: 'object', keys: Object.keys(response) });
      return;
    }
    const pending = this.pending.get(response.id as JsonRpcId);
    if (!pending) {
      console.error('Got response to unknown request', response.id);
      return;
    }
    this.pending.delete(response.id as JsonRpcId);
    pending.cleanup?.();
    if (pending.abandoned) return;
    if (!isResponseMessage(response)) pending.reject(RequestError.invalidRequest(response));
    else if ('result' in response) pending.resolve(response.result);
    else {
      const { code, message, data } = response.error!;
      pending.reject(new RequestError(code, message, data));
    }
  }

  /** Writes one message after those before it; a failed write closes the connection. */
  private send(message: AnyMessage): Promise<void> {
    if (this.signal.aborted) return rejected(this.closedReason());
    this.writeQueue = this.writeQueue
      .then(async () => {
        if (this.signal.aborted) throw this.closedReason();
        const writer = this.stream.writable.getWriter();
        try {
          await writer.write(message);
        } finally {
          writer.releaseLock();
        }
      })
      .catch((err: unknown) => {
        this.close(err);
        throw err;
      });
    return this.writeQueue;
  }
}

function rejected<T>(error: unknown): Promise<T> {
  const promise = Promise.reject(error as Error);
  promise.catch(() => {});
  return promise;
}
