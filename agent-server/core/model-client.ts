import type { ChatMessage, ToolCallRequest } from './messages.js';

/** A function the model may call, in OpenAI function-calling shape. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface ModelRequest {
  messages: ChatMessage[];
  tools: ToolSpec[];
  signal: AbortSignal;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number;
  /** Output tokens spent thinking, when the provider says. */
  reasoningTokens?: number;
  /** In US dollars: reported by the provider (OpenRouter) or from the configured price table. */
  costUsd?: number;
}

/** How hard a reasoning model thinks (chat-completions `reasoning_effort`). */
export const REASONING_EFFORTS = ['low', 'medium', 'high'] as const;
export type ReasoningEffort = (typeof REASONING_EFFORTS)[number];

/** Why a model stream ended badly. Never thrown into the loop: it arrives as an `error` event. */
export interface ModelFailure {
  kind: 'auth' | 'rate_limit' | 'server' | 'network' | 'bad_response' | 'context_length' | 'config';
  message: string;
  status?: number;
}

export type ModelEvent =
  | { type: 'text'; delta: string }
  | { type: 'reasoning'; delta: string }
  | { type: 'tool_call'; call: ToolCallRequest }
  | { type: 'usage'; usage: TokenUsage }
  | { type: 'done'; finishReason: 'stop' | 'tool_calls' | 'length' | 'content_filter' | 'other' }
  | { type: 'error'; failure: ModelFailure }
  /** Something the user should know while waiting (a retry and why); the stream goes on. */
  | { type: 'notice'; message: string }
  | { type: 'aborted' };

/** The context window, in tokens, assumed when neither the config nor the provider tells it. */
export const DEFAULT_CONTEXT_WINDOW = 128_000;

/**
 * The model behind the loop. `stream` never throws and never rejects: every failure becomes
 * a final `error` event, and cancellation a final `aborted` event.
 */
export interface ModelClient {
  readonly modelId: string;
  /** Context window in tokens, when known. */
  readonly contextWindow?: number;
  stream(request: ModelRequest): AsyncIterable<ModelEvent>;
}
