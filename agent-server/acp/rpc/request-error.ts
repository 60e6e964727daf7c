/**
 * JSON-RPC errors as the ACP SDK (`@agentclientprotocol/sdk` core/jsonrpc.js) builds them: the
 * same codes, messages and `data`, so clients see no difference between Cairn's own connection
 * and the SDK's. Kept free of the SDK so `cairn acp` never loads its schemas.
 */
export class RequestError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'RequestError';
  }

  static parseError(data?: unknown, additionalMessage?: string): RequestError {
    return new RequestError(-32700, withDetail('Parse error', additionalMessage), data);
  }

  static invalidRequest(data?: unknown, additionalMessage?: string): RequestError {
    return new RequestError(-32600, withDetail('Invalid request', additionalMessage), data);
  }

  static methodNotFound(method: string): RequestError {
    return new RequestError(-32601, `"Method not found": ${method}`, { method });
  }

  static invalidParams(data?: unknown, additionalMessage?: string): RequestError {
    return new RequestError(-32602, withDetail('Invalid params', additionalMessage), data);
  }

  static internalError(data?: unknown, additionalMessage?: string): RequestError {
    return new RequestError(-32603, withDetail('Internal error', additionalMessage), data);
  }

  static requestCancelled(data?: unknown, additionalMessage?: string): RequestError {
    return new RequestError(-32800, withDetail('Request cancelled', additionalMessage), data);
  }

  static authRequired(data?: unknown, additionalMessage?: string): RequestError {
    return new RequestError(-32000, withDetail('Authentication required', additionalMessage), data);
  }

  static resourceNotFound(uri?: string): RequestError {
    return new RequestError(-32002, `Resource not found${uri ? `: ${uri}` : ''}`, uri && { uri });
  }

  static sessionNotFound(sessionId: string): RequestError {
    return new RequestError(-32002, 'Resource not found', { sessionId });
  }

  static unsupportedProtocolVersion(requested: number, supported: readonly number[]): RequestError {
    return new RequestError(-32022, 'Unsupported protocol version', { requested, supported: [...supported] });
  }

  toErrorResponse(): JsonRpcErrorObject {
    return { code: this.code, message: this.message, data: this.data };
  }
}

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

function withDetail(base: string, detail: string | undefined): string {
  return detail ? `${base}: ${detail}` : base;
}

/** The SDK's duck-typed check: a zod error thrown deep in a handler is still invalid params. */
function isZodError(error: unknown): error is { format(): unknown } {
  const e = error as { name?: unknown; issues?: unknown; format?: unknown } | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    e.name === 'ZodError' &&
    Array.isArray(e.issues) &&
    typeof e.format === 'function'
  );
}

function errorDetails(error: unknown): string | undefined {
  if (error instanceof Error) return error.message;
  const m = (error as { message?: unknown } | null)?.message;
  return typeof error === 'object' && error !== null && typeof m === 'string' ? m : undefined;
}

/**
 * What a thrown value becomes on the wire, as in the SDK: a RequestError as itself, a zod error
 * as invalid params, anything else as -32603 "Internal error" whose `data` is the message parsed
 * as JSON when it is JSON, else `{ details: message }`.
 */
export function errorToErrorObject(error: unknown): JsonRpcErrorObject {
  if (error instanceof RequestError) return error.toErrorResponse();
  if (isZodError(error)) return RequestError.invalidParams(error.format()).toErrorResponse();
  const details = errorDetails(error);
  try {
    return RequestError.internalError(details ? JSON.parse(details) : {}).toErrorResponse();
  } catch {
    return RequestError.internalError({ details }).toErrorResponse();
  }
}

function isAbortError(error: unknown): boolean {
  const e = error as { name?: unknown; code?: unknown } | null;
  return typeof e === 'object' && e !== null && (e.name === 'AbortError' || e.code === 'ABORT_ERR');
}

/** A cancelled request (`$/cancel_request`) whose handler gave up with an AbortError: -32800. */
export function requestCancelledError(reason: unknown): RequestError {
  if (reason instanceof RequestError && reason.code === -32800) return reason;
  return RequestError.requestCancelled(reason);
}

/** A request handler's failure as its error response; -32800 when it stopped because it was cancelled. */
export function requestErrorObject(error: unknown, signal: AbortSignal): JsonRpcErrorObject {
  if (signal.aborted && isAbortError(error)) return requestCancelledError(signal.reason).toErrorResponse();
  return errorToErrorObject(error);
}
