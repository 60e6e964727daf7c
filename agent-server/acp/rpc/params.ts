import { RequestError } from './request-error.js';
import { ShapeError } from './checks.js';

/**
 * A params parser from shape checks: wrong types are answered -32602 "Invalid params: <where>
 * must be <what>", with `data.field` naming where, and never the value itself.
 */
export function paramsParser<T>(check: (raw: unknown) => unknown): (raw: unknown) => T {
  return (raw) => {
    try {
      return check(raw) as T;
    } catch (err) {
      if (err instanceof ShapeError) throw RequestError.invalidParams({ field: err.at }, err.message);
      throw err;
    }
  };
}
