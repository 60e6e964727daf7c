import {
  type Json,
  ShapeError,
  boolean,
  fail,
  isObject,
  isString,
  object,
  string,
  withMeta,
  withoutMalformed,
} from './checks.js';

/**
 * Checks on the client's answers that Cairn reads (a permission outcome, a file's text, a
 * terminal's id, output and exit), so a malformed answer fails the call that asked with a
 * message naming what is wrong, instead of a TypeError somewhere in the turn. Answers to other
 * methods pass as they are; an empty answer to a method without a result becomes `{}`.
 */
export class MalformedAnswerError extends Error {
  constructor(method: string, problem: string) {
    super(`The client's answer to ${method} is malformed: ${problem}`);
    this.name = 'MalformedAnswerError';
  }
}

const R = 'result';

const isExitCode = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 4294967295;

/** Exit code and signal: malformed values are dropped (the SDK's schema does the same). */
function exitStatus(o: Json): Json {
  return withoutMalformed(o, { exitCode: isExitCode, signal: isString });
}

const CHECKS: Record<string, (answer: unknown) => unknown> = {
  'session/request_permission': (answer) => {
    const o = withMeta(object(answer, R));
    const outcome = object(o.outcome, `${R}.outcome`);
    if (outcome.outcome === 'selected') string(outcome.optionId, `${R}.outcome.optionId`);
    else if (outcome.outcome !== 'cancelled')
      fail(`${R}.outcome.outcome`, '"selected" or "cancelled"', outcome.outcome);
    return o;
  },
  'fs/read_text_file': (answer) => {
    const o = withMeta(object(answer, R));
    string(o.content, `${R}.content`);
    return o;
  },
  'terminal/create': (answer) => {
    const o = withMeta(object(answer, R));
    string(o.terminalId, `${R}.terminalId`);
    return o;
  },
  'terminal/output': (answer) => {
    const o = withMeta(object(answer, R));
    string(o.output, `${R}.output`);
    boolean(o.truncated, `${R}.truncated`);
    if (o.exitStatus === undefined || o.exitStatus === null) return o;
    return isObject(o.exitStatus)
      ? { ...o, exitStatus: exitStatus(o.exitStatus) }
      : { ...o, exitStatus: undefined };
  },
  'terminal/wait_for_exit': (answer) => exitStatus(withMeta(object(answer, R))),
};

const EMPTY_OBJECT_ANSWER = new Set(['fs/write_text_file', 'terminal/release', 'terminal/kill']);

export function checkClientAnswer(method: string, answer: unknown): unknown {
  if (EMPTY_OBJECT_ANSWER.has(method)) return answer ?? {};
  const check = CHECKS[method];
  if (!check) return answer;
  try {
    return check(answer);
  } catch (err) {
    if (err instanceof ShapeError) throw new MalformedAnswerError(method, err.message);
    throw err;
  }
}
