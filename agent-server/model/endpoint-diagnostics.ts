import { displayUrl } from './display-url.js';

/**
 * What went wrong talking to the endpoint, in words that say what to do next, and whether
 * trying again can help. Pure: takes errors and headers, returns sentences and decisions.
 */

/** The error codes of the `cause` chain (fetch wraps the socket error: TypeError → Error{code}). */
export function errorCodes(err: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current && depth < 6; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    // AggregateError (happy eyeballs tried IPv4 and IPv6) holds the real causes in `errors`.
    for (const inner of (current as { errors?: unknown[] }).errors ?? []) codes.push(...errorCodes(inner));
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

/** A socket-level failure with a plain explanation, or undefined for anything else. */
export function describeConnectionFailure(err: unknown, baseUrl: string): string | undefined {
  const codes = errorCodes(err);
  if (codes.includes('ECONNREFUSED'))
    return `Nothing is listening at ${displayUrl(baseUrl)} — is the server running?`;
  if (codes.includes('ENOTFOUND') || codes.includes('EAI_AGAIN'))
    return `The host of ${displayUrl(baseUrl)} was not found (DNS) — check the base URL and your network.`;
  if (codes.some((c) => c.startsWith('ERR_TLS') || c.includes('CERT')))
    return `The TLS connection to ${displayUrl(baseUrl)} failed (${codes.join(', ')}) — is it http:// rather than https://?`;
  return undefined;
}

/** Connection refused: nothing will start listening in the next few seconds, so no retries. */
export function isConnectionRefused(err: unknown): boolean {
  return errorCodes(err).includes('ECONNREFUSED');
}

export const htmlPageMessage = (baseUrl: string, status?: number) =>
  `The endpoint at ${displayUrl(baseUrl)} answered with an HTML page${status && status !== 200 ? ` (${status})` : ''}, ` +
  'not the OpenAI API — does the base URL end in /v1?';

/** True when a response (by its content type, or its body when there is none) is a web page. */
export function looksLikeHtml(contentType: string | null | undefined, body?: string): boolean {
  if (contentType && /text\/html|application\/xhtml/i.test(contentType)) return true;
  return !!body && /^\s*(<!doctype html|<html|<head|<body)/i.test(body);
}

/** Statuses worth asking again: the request may well succeed a moment later. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** How long the server asked us to wait (retry-after-ms, retry-after in seconds or as a date). */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  const ms = Number(headers?.get('retry-after-ms'));
  if (headers?.get('retry-after-ms') && Number.isFinite(ms) && ms >= 0) return ms;
  const after = headers?.get('retry-after');
  if (!after) return undefined;
  const seconds = Number(after);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Exponential backoff with jitter: 0.5 s, 1 s, 2 s … capped at 8 s (what the openai SDK does). */
export function backoffMs(retryNumber: number, random = Math.random): number {
  const base = Math.min(500 * 2 ** retryNumber, 8000);
  return Math.round(base * (1 - 0.25 * random()));
}

/** A retry announcement: "rate limited, retrying in 2 s (attempt 2/3)". */
export function retryNotice(reason: string, delayMs: number, nextAttempt: number, attempts: number): string {
  const seconds = Math.max(1, Math.round(delayMs / 1000));
  return `${reason}, retrying in ${seconds} s (attempt ${nextAttempt}/${attempts})`;
}

/** Why a status is being retried, in a few words. */
export function retryReason(status: number | undefined): string {
  if (status === 429) return 'rate limited';
  if (status === 408) return 'the model endpoint timed out';
  if (status === 409) return 'the model endpoint reported a conflict';
  if (status !== undefined) return `the model provider failed (${status})`;
  return 'the connection to the model failed';
}
