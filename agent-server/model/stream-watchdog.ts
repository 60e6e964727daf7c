import { displayUrl } from './display-url.js';

/**
 * Ends a model request that goes quiet: no first chunk within `firstByteMs` of sending it, or
 * a pause longer than `idleMs` between chunks. The openai client's own timeout covers only the
 * wait for headers, so a stream that stalls after them would otherwise never end.
 */
export type Stall = 'first_byte' | 'idle';

export class StreamWatchdog {
  /** Aborts when the caller aborts or the stream stalls. */
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private stalledAt: Stall | undefined;

  constructor(
    outer: AbortSignal,
    private readonly limits: { firstByteMs?: number; idleMs?: number },
  ) {
    this.signal = AbortSignal.any([outer, this.controller.signal]);
    this.arm(limits.firstByteMs, 'first_byte');
  }

  /** Which limit ended the stream, if one did. */
  get stalled(): Stall | undefined {
    return this.stalledAt;
  }

  /** A chunk arrived: the idle limit starts over. */
  sawChunk(): void {
    this.arm(this.limits.idleMs, 'idle');
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private arm(ms: number | undefined, kind: Stall): void {
    clearTimeout(this.timer);
    if (ms === undefined) return;
    this.timer = setTimeout(() => {
      this.stalledAt = kind;
      this.controller.abort(new Error(`model stream ${kind} timeout`));
    }, ms);
    // A consumer that stops reading early must not keep the process alive.
    this.timer.unref();
  }
}

export function stallMessage(
  kind: Stall,
  baseUrl: string,
  limits: { firstByteMs?: number; idleMs?: number },
): string {
  const seconds = (ms: number | undefined) => Math.round((ms ?? 0) / 100) / 10;
  return kind === 'first_byte'
    ? `The model at ${displayUrl(baseUrl)} sent nothing for ${seconds(limits.firstByteMs)} s after the request, so the turn was ended — it may be overloaded or stuck. Try again, or raise model.firstByteTimeoutSec in config.json.`
    : `The model's stream from ${displayUrl(baseUrl)} stalled: nothing for ${seconds(limits.idleMs)} s after partial output, so the turn was ended. Try again, or raise model.streamIdleTimeoutSec in config.json.`;
}
