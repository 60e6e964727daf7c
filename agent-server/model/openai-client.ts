import type OpenAI from 'openai';
import type {
  ChatCompletionChunk,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import type { ChatMessage } from '../core/messages.js';
import type {
  ModelClient,
  ModelEvent,
  ModelFailure,
  ModelRequest,
  ReasoningEffort,
  TokenUsage,
} from '../core/model-client.js';
import {
  backoffMs,
  describeConnectionFailure,
  htmlPageMessage,
  isConnectionRefused,
  isRetryableStatus,
  looksLikeHtml,
  retryAfterMs,
  retryNotice,
  retryReason,
} from './endpoint-diagnostics.js';
import type { ResolvedModel } from './resolve.js';
import { StreamWatchdog, stallMessage } from './stream-watchdog.js';
import { errorMessage } from '../../shared/error-message.js';
import { proxiedFetch } from '../web/proxy-fetch.js';
import { modelTakesNoImages } from '../../shared/model-presets.js';
import { imageCount, imagesNotice, isImageRejection, withoutImages } from './image-input.js';
import { displayUrl } from './display-url.js';

/** Maps our provider-neutral conversation to chat-completions messages. */
export function toOpenAIMessages(messages: ChatMessage[]): ChatCompletionMessageParam[] {
  return messages.map((m): ChatCompletionMessageParam => {
    switch (m.role) {
      case 'system':
        return { role: 'system', content: m.content };
      case 'user':
        return typeof m.content === 'string'
          ? { role: 'user', content: m.content }
          : {
              role: 'user',
              content: m.content.map((p) =>
                p.type === 'text'
                  ? { type: 'text' as const, text: p.text }
                  : { type: 'image_url' as const, image_url: { url: `data:${p.mimeType};base64,${p.data}` } },
              ),
            };
      case 'assistant':
        return {
          role: 'assistant',
          content: m.content || null,
          ...(m.toolCalls?.length
            ? {
                tool_calls: m.toolCalls.map((c) => ({
                  id: c.id,
                  type: 'function' as const,
                  function: { name: c.name, arguments: c.arguments },
                })),
              }
            : {}),
        };
      case 'tool':
        return { role: 'tool', tool_call_id: m.toolCallId, content: m.content };
    }
  });
}

type OpenAIModule = typeof import('openai');
let openaiModule: Promise<OpenAIModule> | undefined;
/** The openai package loads on the first model call, not at start-up: `session/new` stays fast. */
const loadOpenAI = () => (openaiModule ??= import('openai'));

/** Turns any failure from the openai client into a user-facing description. */
export function describeFailure(
  OpenAI: OpenAIModule['default'],
  err: unknown,
  baseUrl: string,
): ModelFailure {
  if (err instanceof OpenAI.APIError && err.status !== undefined) {
    const detail = err.message.replace(/^\d{3}\s*/, '');
    const status = err.status;
    // A web server or proxy, not the API (typically a base URL without /v1): never print the page.
    if (looksLikeHtml(err.headers?.get('content-type'), detail))
      return { kind: 'bad_response', status, message: htmlPageMessage(baseUrl, status) };
    if (status === 404) {
      return {
        kind: 'bad_response',
        status,
        message: `The endpoint at ${displayUrl(baseUrl)} answered 404: ${detail} — check the model name, and that the base URL ends in /v1.`,
      };
    }
    if (status === 401 || status === 403) {
      return {
        kind: 'auth',
        status,
        message: `The model endpoint rejected the API key (${status}): ${detail}`,
      };
    }
    if (status === 429) {
      return {
        kind: 'rate_limit',
        status,
        message: `Rate limited by the model provider after retries: ${detail}`,
      };
    }
    if (status === 400 && /context|too long|maximum.*tokens/i.test(detail)) {
      return {
        kind: 'context_length',
        status,
        message: `The conversation is longer than the model accepts: ${detail}`,
      };
    }
    if (status >= 500) {
      return {
        kind: 'server',
        status,
        message: `The model provider failed (${status}) after retries: ${detail}`,
      };
    }
    return { kind: 'bad_response', status, message: `The model request failed (${status}): ${detail}` };
  }
  if (err instanceof OpenAI.APIConnectionTimeoutError) {
    return { kind: 'network', message: `The model at ${displayUrl(baseUrl)} did not answer in time.` };
  }
  if (err instanceof OpenAI.APIConnectionError) {
    const known = describeConnectionFailure(err, baseUrl);
    return {
      kind: 'network',
      message: known ?? `Cannot reach the model at ${displayUrl(baseUrl)}: ${err.message}`,
    };
  }
  const message = errorMessage(err);
  return { kind: 'network', message: `The model's response stream broke off: ${message}` };
}

interface PartialCall {
  id: string;
  name: string;
  arguments: string;
}

export interface OpenAIClientOptions {
  /** Read at each request: the session's `reasoning_effort` choice (unset: not sent). */
  reasoningEffort?: () => ReasoningEffort | undefined;
}

/** Any OpenAI-compatible chat-completions endpoint, streaming, with tool calls. */
export class OpenAIModelClient implements ModelClient {
  private client: OpenAI | undefined;
  /** The endpoint answered 400 to `reasoning_effort` and took the request without it. */
  private effortRefused = false;
  /** Images are left out: the model is known to take none, or the endpoint refused one. */
  private imagesRefused: string | undefined;
  /** Images already said to be left out (a notice for each new one, not each request). */
  private imagesNoted = 0;

  constructor(
    private readonly config: ResolvedModel,
    private readonly options: OpenAIClientOptions = {},
  ) {}

  private async connect(): Promise<{ client: OpenAI; OpenAI: OpenAIModule['default'] }> {
    const { default: OpenAI } = await loadOpenAI();
    // HTTP(S)_PROXY / NO_PROXY, which Node 20's fetch does not read by itself.
    const fetch = this.client ? undefined : await proxiedFetch(new URL(this.config.baseUrl), process.env);
    this.client ??= new OpenAI({
      baseURL: this.config.baseUrl,
      apiKey: this.config.apiKey,
      // Cairn retries itself (see `retryDelay`), so each retry can be announced to the user.
      maxRetries: 0,
      timeout: this.config.timeoutMs,
      ...(fetch ? { fetch } : {}),
    });
    return { client: this.client, OpenAI };
  }

  get modelId(): string {
    return this.config.model;
  }

  get contextWindow(): number | undefined {
    return this.config.contextWindow;
  }

  async *stream(request: ModelRequest): AsyncIterable<ModelEvent> {
    const tools: ChatCompletionTool[] = request.tools.map((t) => ({
      type: 'function',
      function: { name: t.name, description: t.description, parameters: t.parameters },
    }));
    const { client, OpenAI } = await this.connect();
    const limits = { firstByteMs: this.config.firstByteTimeoutMs, idleMs: this.config.streamIdleTimeoutMs };
    const stalled = (watchdog: StreamWatchdog): ModelEvent | undefined =>
      watchdog.stalled && !request.signal.aborted
        ? {
            type: 'error',
            failure: {
              kind: 'network',
              message: stallMessage(watchdog.stalled, this.config.baseUrl, limits),
            },
          }
        : undefined;
    let stream: AsyncIterable<ChatCompletionChunk>;
    let watchdog: StreamWatchdog;
    let effort = this.effortRefused ? undefined : this.options.reasoningEffort?.();
    this.imagesRefused ??= modelTakesNoImages(this.config.model) ? 'a text-only model' : undefined;
    const images = imageCount(request.messages);
    let messages = this.imagesRefused ? withoutImages(request.messages, this.config.model) : request.messages;
    if (this.imagesRefused && images > this.imagesNoted) {
      this.imagesNoted = images;
      yield { type: 'notice', message: imagesNotice(this.config.model, this.imagesRefused) };
    }
    /** Set when the endpoint refused the request's images: it is tried once without them. */
    let imageRejection: string | undefined;
    /** Set when a 400 may have been the effort parameter: the request is tried once without it. */
    let effortRejection: string | undefined;
    for (let attempt = 0; ; attempt++) {
      watchdog = new StreamWatchdog(request.signal, limits);
      try {
        const { data, response } = await client.chat.completions
          .create(
            {
              model: this.config.model,
              messages: toOpenAIMessages(messages),
              stream: true,
              stream_options: { include_usage: true },
              ...(tools.length ? { tools } : {}),
              ...(this.config.maxOutputTokens ? { max_tokens: this.config.maxOutputTokens } : {}),
              ...(effort ? { reasoning_effort: effort } : {}),
            },
            { signal: watchdog.signal },
          )
          .withResponse();
        if (looksLikeHtml(response.headers.get('content-type'))) {
          watchdog.stop();
          await response.body?.cancel().catch(() => undefined);
          yield {
            type: 'error',
            failure: {
              kind: 'bad_response',
              status: response.status,
              message: htmlPageMessage(this.config.baseUrl),
            },
          };
          return;
        }
        stream = data;
        if (imageRejection) {
          this.imagesRefused = `the endpoint answered 400: ${imageRejection}`;
          this.imagesNoted = images;
          yield { type: 'notice', message: imagesNotice(this.config.model, this.imagesRefused) };
        }
        if (effortRejection) {
          // Said once per model: later requests leave the parameter out.
          this.effortRefused = true;
          yield {
            type: 'notice',
            message: `${this.config.model} at ${displayUrl(this.config.baseUrl)} does not accept reasoning_effort (400: ${effortRejection}); Cairn sends its requests without it.`,
          };
        }
        break;
      } catch (err) {
        watchdog.stop();
        // Waiting out a silent endpoint once is enough: no retry after a stall.
        const stall = stalled(watchdog);
        if (stall) {
          yield stall;
          return;
        }
        if (request.signal.aborted) {
          yield { type: 'aborted' };
          return;
        }
        if (
          !imageRejection &&
          images > 0 &&
          messages === request.messages &&
          err instanceof OpenAI.APIError &&
          isImageRejection(err.status, err.message)
        ) {
          imageRejection = err.message.replace(/^400\s*/, '');
          messages = withoutImages(request.messages, this.config.model);
          attempt--;
          continue;
        }
        if (effort && effortRejectedBy(OpenAI, err)) {
          effortRejection = (err as Error).message.replace(/^400\s*/, '');
          effort = undefined;
          attempt--;
          continue;
        }
        const delayMs = retryDelay(OpenAI, err, attempt, this.config.maxRetries);
        if (delayMs === undefined) {
          yield { type: 'error', failure: describeFailure(OpenAI, err, this.config.baseUrl) };
          return;
        }
        const status = err instanceof OpenAI.APIError ? err.status : undefined;
        yield {
          type: 'notice',
          message: retryNotice(retryReason(status), delayMs, attempt + 2, this.config.maxRetries + 1),
        };
        if (!(await sleepUnlessAborted(delayMs, request.signal))) {
          yield { type: 'aborted' };
          return;
        }
      }
    }

    const calls: PartialCall[] = [];
    let finish: ModelEvent & { type: 'done' } = { type: 'done', finishReason: 'stop' };
    let chunks = 0;
    try {
      for await (const chunk of stream) {
        watchdog.sawChunk();
        chunks++;
        if (chunk.usage) yield { type: 'usage', usage: this.usageOf(chunk.usage) };
        const choice = chunk.choices?.[0];
        if (!choice) continue;
        const delta = choice.delta as ChatCompletionChunk.Choice.Delta & {
          reasoning_content?: string | null;
          reasoning?: string | null;
        };
        const reasoning = delta.reasoning_content ?? delta.reasoning;
        if (reasoning) yield { type: 'reasoning', delta: reasoning };
        if (delta.content) yield { type: 'text', delta: delta.content };
        for (const tc of delta.tool_calls ?? []) {
          const slot = (calls[tc.index] ??= { id: '', name: '', arguments: '' });
          if (tc.id) slot.id = tc.id;
          if (tc.function?.name) slot.name += tc.function.name;
          if (tc.function?.arguments) slot.arguments += tc.function.arguments;
        }
        if (choice.finish_reason) finish = { type: 'done', finishReason: mapFinish(choice.finish_reason) };
      }
    } catch (err) {
      watchdog.stop();
      yield (
        stalled(watchdog) ??
        (request.signal.aborted
          ? { type: 'aborted' }
          : { type: 'error', failure: describeFailure(OpenAI, err, this.config.baseUrl) })
      );
      return;
    }
    watchdog.stop();
    // The openai stream ends quietly, without throwing, when its signal aborts.
    const stall = stalled(watchdog);
    if (stall) {
      yield stall;
      return;
    }
    if (request.signal.aborted) {
      yield { type: 'aborted' };
      return;
    }
    if (chunks === 0) {
      // A 200 that is not an event stream (a JSON page, plain text) parses as no events at all.
      yield {
        type: 'error',
        failure: {
          kind: 'bad_response',
          message: `The endpoint at ${displayUrl(this.config.baseUrl)} answered, but not with an OpenAI chat-completions stream — is it an OpenAI-compatible API, and does the base URL end in /v1?`,
        },
      };
      return;
    }
    for (const [i, call] of calls.entries()) {
      if (!call) continue;
      yield {
        type: 'tool_call',
        call: {
          id: call.id || `call_${Date.now().toString(36)}_${i}`,
          name: call.name,
          arguments: call.arguments,
        },
      };
    }
    if (calls.length && finish.finishReason === 'stop') finish = { type: 'done', finishReason: 'tool_calls' };
    yield finish;
  }

  /** Tokens, and the cost: as the provider reports it (OpenRouter's `usage.cost`), else by the price table. */
  private usageOf(usage: NonNullable<ChatCompletionChunk['usage']> & { cost?: unknown }): TokenUsage {
    const reported = typeof usage.cost === 'number' && Number.isFinite(usage.cost) ? usage.cost : undefined;
    const price = this.config.prices?.[this.config.model];
    const costUsd =
      reported ??
      (price
        ? (usage.prompt_tokens * price.inputPerMTok + usage.completion_tokens * price.outputPerMTok) / 1e6
        : undefined);
    const cached = usage.prompt_tokens_details?.cached_tokens;
    const reasoning = usage.completion_tokens_details?.reasoning_tokens;
    return {
      inputTokens: usage.prompt_tokens,
      outputTokens: usage.completion_tokens,
      cachedInputTokens: cached ?? undefined,
      ...(reasoning ? { reasoningTokens: reasoning } : {}),
      ...(costUsd !== undefined ? { costUsd } : {}),
    };
  }
}

/**
 * How long to wait before attempt `attempt + 1`, or undefined when the failure is final:
 * retries are used up, the status will not change by asking again (401, 400, 404 …), or
 * nothing is listening at all (connection refused).
 */
function retryDelay(
  OpenAI: OpenAIModule['default'],
  err: unknown,
  attempt: number,
  maxRetries: number,
): number | undefined {
  if (attempt >= maxRetries) return undefined;
  if (err instanceof OpenAI.APIError && err.status !== undefined) {
    if (!isRetryableStatus(err.status)) return undefined;
    // A server asking for a long pause is better told to the user than waited out silently.
    return Math.min(retryAfterMs(err.headers) ?? backoffMs(attempt), 60_000);
  }
  if (err instanceof OpenAI.APIConnectionError && !isConnectionRefused(err)) return backoffMs(attempt);
  return undefined;
}

/**
 * A 400 that may be the endpoint refusing `reasoning_effort` (worded differently everywhere):
 * any 400 except a context overflow. The request is tried once without the parameter; only when
 * that succeeds is the parameter dropped for good.
 */
function effortRejectedBy(OpenAI: OpenAIModule['default'], err: unknown): boolean {
  return (
    err instanceof OpenAI.APIError &&
    err.status === 400 &&
    !/context|too long|maximum.*tokens/i.test(err.message)
  );
}

/** Resolves true after `ms`, or false as soon as the signal aborts. */
function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function mapFinish(reason: string): 'stop' | 'tool_calls' | 'length' | 'content_filter' | 'other' {
  switch (reason) {
    case 'stop':
    case 'tool_calls':
    case 'length':
    case 'content_filter':
      return reason;
    case 'function_call':
      return 'tool_calls';
    default:
      return 'other';
  }
}
