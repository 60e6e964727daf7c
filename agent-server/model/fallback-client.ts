import type { ModelClient, ModelEvent, ModelFailure, ModelRequest } from '../core/model-client.js';

/** One model of the chain and how the user knows it ("gpt-4o-mini (OpenRouter)"). */
export interface ChainedModel {
  client: ModelClient;
  label: string;
}

/**
 * Failures another model may not share: rate limits, 5xx, timeouts, unreachable endpoints.
 * Not a rejected key (401/403), a request the endpoint refuses (400, 404) or a context overflow:
 * those would fail the same way, or need the user.
 */
export function fallsBack(failure: ModelFailure): boolean {
  return failure.kind === 'rate_limit' || failure.kind === 'server' || failure.kind === 'network';
}

/** How long requests go to the model that last answered before the first one is tried again. */
export const STAY_ON_FALLBACK_MS = 5 * 60_000;

export interface FallbackOptions {
  now?: () => number;
}

/**
 * A model with fallbacks (`model.fallbacks`): when one fails after its own retries, before it
 * produced anything, the same request goes to the next, with a notice naming it. Later requests
 * stay on the model that answered for a while (a failing endpoint is not asked again at every
 * step of a turn), then the first is tried again. A failure after text was streamed is not
 * retried elsewhere: the user has already seen part of an answer.
 */
export class FallbackModelClient implements ModelClient {
  private answering = 0;
  private answeringSince = 0;
  private readonly now: () => number;

  constructor(
    private readonly chain: readonly ChainedModel[],
    opts: FallbackOptions = {},
  ) {
    if (!chain.length) throw new Error('A fallback chain needs at least one model.');
    this.now = opts.now ?? Date.now;
  }

  get modelId(): string {
    return this.chain[0]!.client.modelId;
  }

  get contextWindow(): number | undefined {
    return this.chain[0]!.client.contextWindow;
  }

  /** The model requests go to now, when it is a fallback; undefined while the first one answers. */
  get fallbackAnswering(): string | undefined {
    const index = this.startIndex();
    return index ? this.chain[index]!.label : undefined;
  }

  private startIndex(): number {
    if (this.answering && this.now() - this.answeringSince >= STAY_ON_FALLBACK_MS) this.answering = 0;
    return this.answering;
  }

  async *stream(request: ModelRequest): AsyncIterable<ModelEvent> {
    const first = this.startIndex();
    for (let i = first; i < this.chain.length; i++) {
      const { client, label } = this.chain[i]!;
      const last = i === this.chain.length - 1;
      let produced = false;
      let failure: ModelFailure | undefined;
      for await (const event of client.stream(request)) {
        if (event.type === 'error' && !produced && !last && fallsBack(event.failure)) {
          failure = event.failure;
          break;
        }
        if (event.type === 'text' || event.type === 'reasoning' || event.type === 'tool_call') {
          if (!produced && i !== this.answering) this.switchTo(i);
          produced = true;
        }
        yield event;
      }
      if (!failure) return;
      const next = this.chain[i + 1]!;
      yield {
        type: 'notice',
        message: `${label} failed: ${failure.message} Continuing on ${next.label}.`,
      };
    }
  }

  private switchTo(index: number): void {
    this.answering = index;
    this.answeringSince = this.now();
  }
}
