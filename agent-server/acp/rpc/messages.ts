/**
 * JSON-RPC 2.0 message shapes and their guards, as the ACP SDK tells them apart (a response
 * needs exactly one of `result` and `error`; ids are strings, finite numbers or null).
 */
export type JsonRpcId = string | number | null;

export interface RequestMessage {
  jsonrpc: '2.0';
  id: JsonRpcId;
  method: string;
  params?: unknown;
}
export interface NotificationMessage {
  jsonrpc: '2.0';
  method: string;
  params?: unknown;
}
export interface ResponseMessage {
  jsonrpc: '2.0';
  id: JsonRpcId;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}
export type AnyMessage = RequestMessage | NotificationMessage | ResponseMessage;

/** Parsed messages both ways: what guarded-stream.ts offers and an in-memory pair carries. */
export interface MessageStream {
  readable: ReadableStream<AnyMessage>;
  writable: WritableStream<AnyMessage>;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isEnvelope(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && value.jsonrpc === '2.0';
}

export function isJsonRpcId(value: unknown): value is JsonRpcId {
  return value === null || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

export function isRequestMessage(value: unknown): value is RequestMessage {
  return isEnvelope(value) && 'id' in value && typeof value.method === 'string' && isJsonRpcId(value.id);
}

export function isNotificationMessage(value: unknown): value is NotificationMessage {
  return isEnvelope(value) && !('id' in value) && typeof value.method === 'string';
}

function isErrorObject(value: unknown): boolean {
  return (
    isRecord(value) &&
    typeof value.code === 'number' &&
    Number.isInteger(value.code) &&
    typeof value.message === 'string'
  );
}

export function isResponseMessage(value: unknown): value is ResponseMessage {
  if (!isEnvelope(value) || 'method' in value) return false;
  if (!('id' in value) || !isJsonRpcId(value.id)) return false;
  const hasResult = Object.hasOwn(value, 'result');
  const hasError = Object.hasOwn(value, 'error');
  if (hasResult === hasError) return false;
  return !hasError || isErrorObject(value.error);
}

/** Response-like, even malformed: never treated as a call that needs an answer. */
export function isResponseShaped(value: unknown): boolean {
  return isRecord(value) && !('method' in value) && ('id' in value || 'result' in value || 'error' in value);
}
