/**
 * Small shape checks for JSON from the other side: each one names where the value sits
 * (`params.prompt[2].uri`) and what it should have been, never the value itself (a path or a
 * base64 image can be megabytes). Callers turn a ShapeError into their own error.
 */
export class ShapeError extends Error {
  constructor(
    readonly at: string,
    readonly expected: string,
    readonly got: string,
  ) {
    super(`${at} must be ${expected}, got ${got}`);
    this.name = 'ShapeError';
  }
}

export type Json = Record<string, unknown>;

export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'number' && !Number.isFinite(value) ? 'a non-finite number' : `a ${typeof value}`;
}

export function fail(at: string, expected: string, value: unknown): never {
  throw new ShapeError(at, expected, typeName(value));
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function object(value: unknown, at: string): Json {
  return isObject(value) ? value : fail(at, 'an object', value);
}

export function string(value: unknown, at: string): string {
  return typeof value === 'string' ? value : fail(at, 'a string', value);
}

export function nonEmptyString(value: unknown, at: string): string {
  return typeof value === 'string' && value.length > 0 ? value : fail(at, 'a non-empty string', value);
}

export function boolean(value: unknown, at: string): boolean {
  return typeof value === 'boolean' ? value : fail(at, 'a boolean', value);
}

export function integer(value: unknown, at: string, min = -Infinity): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min) return value;
  return fail(at, min === 0 ? 'a whole number, 0 or more' : 'a whole number', value);
}

export function array(value: unknown, at: string): unknown[] {
  return Array.isArray(value) ? value : fail(at, 'an array', value);
}

/** A string, null or absent (the schema's `nullish()` strings). */
export function optionalString(value: unknown, at: string): void {
  if (value !== undefined && value !== null && typeof value !== 'string') fail(at, 'a string or null', value);
}

export function optionalObject(value: unknown, at: string): void {
  if (value !== undefined && value !== null && !isObject(value)) fail(at, 'an object or null', value);
}

export function strings(value: unknown, at: string): string[] {
  array(value, at).forEach((item, i) => string(item, `${at}[${i}]`));
  return value as string[];
}

/**
 * A copy of `o` without the optional fields whose values the schema would have dropped
 * (its `defaultOnError`: a malformed `_meta`, annotation or title is ignored, not refused).
 */
export function withoutMalformed(o: Json, ok: Record<string, (value: unknown) => boolean>): Json {
  let copy: Json | undefined;
  for (const [key, valid] of Object.entries(ok)) {
    const value = o[key];
    if (value === undefined || value === null || valid(value)) continue;
    copy ??= { ...o };
    delete copy[key];
  }
  return copy ?? o;
}

export const isString = (value: unknown): boolean => typeof value === 'string';

/** `_meta` is an object when given; anything else is dropped, as the SDK's schema does. */
export function withMeta(o: Json): Json {
  return withoutMalformed(o, { _meta: isObject });
}

/** An array the schema lets be null (`defaultOnNull`): null becomes []. */
export function arrayOrNull(o: Json, key: string, at: string, required: boolean): Json {
  const value = o[key];
  if (value === null) return { ...o, [key]: [] };
  if (value === undefined && !required) return o;
  array(value, `${at}.${key}`);
  return o;
}

/** A Cairn ext method's params: an object naming a session by a non-empty `sessionId`. */
export function sessionParams(raw: unknown): Json {
  const o = object(raw, 'params');
  nonEmptyString(o.sessionId, 'params.sessionId');
  return o;
}
