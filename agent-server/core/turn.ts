import { outcomeText } from '../../shared/tool-outcome.js';
import type { Conversation } from './conversation.js';
import type { ToolCallOutcome, TurnEvent, TurnOutcome } from './events.js';
import type { ToolCallRequest } from './messages.js';
import type { ModelClient, ModelFailure } from './model-client.js';
import type { ToolContent } from './tool-content.js';
import type { ToolResult, ToolRunner } from './tool-runner.js';
import { EventQueue } from './event-queue.js';

export interface TurnOptions {
  conversation: Conversation;
  model: ModelClient;
  tools: ToolRunner;
  signal: AbortSignal;
  /** Model requests allowed in this turn before it stops with `max_turn_requests`. */
  maxModelRequests: number;
}

/** Invalid tool-call JSON this many times in a row ends the turn instead of asking again. */
const MAX_CONSECUTIVE_BAD_CALLS = 3;

/**
 * One prompt turn: stream the model, run the tools it calls, feed results back, until the
 * model answers without tools. The user message must already be in the conversation.
 * Yields events as they happen; returns how the turn ended. Never throws for model or tool
 * failures: those end the turn with `error` set, and the conversation stays consistent.
 */
export async function* runTurn(opts: TurnOptions): AsyncGenerator<TurnEvent, TurnOutcome> {
  const { conversation, model, tools, signal } = opts;
  let requests = 0;
  let badCallStreak = 0;

  for (;;) {
    if (signal.aborted) return { stopReason: 'cancelled' };
    if (requests >= opts.maxModelRequests) return { stopReason: 'max_turn_requests' };
    requests++;

    let text = '';
    let reasoning = '';
    const calls: ToolCallRequest[] = [];
    let failure: ModelFailure | undefined;
    let aborted = false;
    let finishReason: string = 'stop';

    for await (const ev of model.stream({
      messages: conversation.forModel(),
      tools: tools.specs(),
      signal,
    })) {
      switch (ev.type) {
        case 'text':
          text += ev.delta;
          yield { type: 'text', delta: ev.delta };
          break;
        case 'reasoning':
          reasoning += ev.delta;
          yield { type: 'thought', delta: ev.delta };
          break;
        case 'tool_call':
          calls.push(ev.call);
          break;
        case 'usage':
          yield { type: 'usage', usage: ev.usage, contextWindow: model.contextWindow };
          break;
        case 'done':
          finishReason = ev.finishReason;
          break;
        case 'error':
          failure = ev.failure;
          break;
        case 'aborted':
          aborted = true;
          break;
        case 'notice':
          yield { type: 'notice', severity: 'warning', message: ev.message };
          break;
      }
    }

    // Keep what was said, even when the stream ended badly, so the conversation stays true.
    if (aborted || failure) {
      if (text || reasoning)
        conversation.append({ role: 'assistant', content: text, ...(reasoning ? { reasoning } : {}) });
      if (aborted || signal.aborted) return { stopReason: 'cancelled' };
      return { stopReason: 'end_turn', error: { kind: failure!.kind, message: failure!.message } };
    }

    conversation.append({
      role: 'assistant',
      content: text,
      ...(reasoning ? { reasoning } : {}),
      ...(calls.length ? { toolCalls: calls } : {}),
    });

    if (!calls.length) {
      if (finishReason === 'length') return { stopReason: 'max_tokens' };
      if (finishReason === 'content_filter') return { stopReason: 'refusal' };
      return { stopReason: 'end_turn' };
    }

    let allRejected = true;
    for (const call of calls) {
      if (signal.aborted) {
        // Every tool call needs an answer, or the next request is malformed.
        conversation.append({
          role: 'tool',
          toolCallId: call.id,
          name: call.name,
          content: 'Not run: the user cancelled the turn.',
          isError: true,
        });
        continue;
      }
      const outcome = yield* runToolCall(call, tools, signal, conversation);
      if (outcome !== 'rejected') allRejected = false;
    }
    if (signal.aborted) return { stopReason: 'cancelled' };

    badCallStreak = allRejected ? badCallStreak + 1 : 0;
    if (badCallStreak >= MAX_CONSECUTIVE_BAD_CALLS) {
      return {
        stopReason: 'end_turn',
        error: {
          kind: 'bad_response',
          message: `The model sent invalid tool calls ${badCallStreak} times in a row; the turn was stopped. Try rephrasing, or a more capable model.`,
        },
      };
    }
  }
}

async function* runToolCall(
  call: ToolCallRequest,
  tools: ToolRunner,
  signal: AbortSignal,
  conversation: Conversation,
): AsyncGenerator<TurnEvent, 'ok' | 'failed' | 'rejected'> {
  const prepared = tools.prepare(call);
  yield {
    type: 'tool_call',
    toolCallId: call.id,
    toolName: call.name,
    title: prepared.title,
    kind: prepared.kind,
    locations: prepared.ok ? prepared.locations : [],
    rawInput: prepared.ok ? prepared.input : prepared.rawInput,
  };
  if (!prepared.ok) {
    yield endedUpdate(call.id, 'failed', prepared.error, undefined, prepared.refusal);
    conversation.append({
      role: 'tool',
      toolCallId: call.id,
      name: call.name,
      content: prepared.error,
      isError: true,
    });
    return 'rejected';
  }

  // Reports arrive from inside the tool; they are yielded in order as they come. The call
  // stays `pending` (e.g. waiting for approval) until the tool says it runs.
  const reports = new EventQueue<TurnEvent>();
  let running = false;
  const markRunning = () => {
    if (running) return;
    running = true;
    reports.push({ type: 'tool_call_update', toolCallId: call.id, status: 'in_progress' });
  };
  const progress = (content: ToolContent[]) => {
    markRunning();
    reports.push({ type: 'tool_call_update', toolCallId: call.id, content });
  };
  const result = prepared.run(signal, { progress, running: markRunning }).then(
    (outcome) => ({ ok: true as const, outcome }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  void result.finally(() => reports.end());
  yield* reports;
  const done = await result;
  if (done.ok) {
    const r = done.outcome;
    const outcome = r.outcome ?? 'completed';
    if (r.plan) yield { type: 'plan', entries: r.plan };
    if (outcome === 'completed') {
      yield {
        type: 'tool_call_update',
        toolCallId: call.id,
        status: 'completed',
        ...(r.content ? { content: r.content } : {}),
        ...(r.locations ? { locations: r.locations } : {}),
        ...(r.rawOutput !== undefined ? { rawOutput: r.rawOutput } : {}),
        outcome,
      };
    } else {
      yield endedUpdate(call.id, outcome, r.reason, r);
    }
    conversation.append({
      role: 'tool',
      toolCallId: call.id,
      name: call.name,
      content: r.forModel,
      ...(outcome === 'completed' ? {} : { isError: true }),
    });
    return outcome === 'completed' ? 'ok' : 'failed';
  }
  const message = signal.aborted
    ? 'Cancelled by the user before it finished.'
    : done.error instanceof Error
      ? done.error.message
      : String(done.error);
  yield signal.aborted ? endedUpdate(call.id, 'cancelled') : endedUpdate(call.id, 'failed', message);
  conversation.append({
    role: 'tool',
    toolCallId: call.id,
    name: call.name,
    content: `Error: ${message}`,
    isError: true,
  });
  return 'failed';
}

/**
 * The final update of a call that did not complete: `failed` on the wire, the outcome and
 * reason said first in the content. A diff never survives here: the change did not happen,
 * so nothing may present it as done (the review showed it while the call was pending).
 */
function endedUpdate(
  toolCallId: string,
  outcome: Exclude<ToolCallOutcome, 'completed'>,
  reason?: string,
  result?: ToolResult,
  refusal = result?.refusal,
): TurnEvent {
  const kept = (result?.content ?? []).filter((c) => c.type !== 'diff');
  return {
    type: 'tool_call_update',
    toolCallId,
    status: 'failed',
    content: [{ type: 'text', text: outcomeText(outcome, reason) }, ...kept],
    ...(result?.locations ? { locations: result.locations } : {}),
    ...(result?.rawOutput !== undefined ? { rawOutput: result.rawOutput } : {}),
    outcome,
    ...(reason ? { reason } : {}),
    ...(refusal ? { refusal } : {}),
  };
}
