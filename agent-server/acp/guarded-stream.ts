import type { Readable, Writable } from 'node:stream';
import { isJsonRpcId, type AnyMessage, type JsonRpcId, type MessageStream } from './rpc/messages.js';
import { BoundedLineSplitter, nestsDeeperThan } from './bounded-lines.js';

/**
 * Newline-delimited JSON-RPC for the agent's connection (acp/rpc/), with a guard in front: input
 * a JSON-RPC peer could choke on (a line over the size limit, nesting deep enough to overflow the
 * stack when an error is built, a megabyte-long method or id echoed back whole) is answered here
 * with a short JSON-RPC error that never repeats the input, and the connection keeps serving.
 *
 * When the client closes its end (`printf '…' | cairn acp`, an editor that sends its last
 * request and closes), the requests it already sent are still answered: the end of input
 * reaches the connection only once every one of them has its response. Requests the agent sends the
 * client meanwhile (a permission question, a file read) can never be answered, so each gets
 * an error response here at once and the turn that asked goes on without it.
 */
export const INPUT_LIMITS = {
  /** The ACP SDK's own default limit; a base64 image this large is already absurd. */
  maxLineBytes: 32 * 1024 * 1024,
  maxDepth: 128,
  maxMethodLength: 256,
  maxIdLength: 1024,
} as const;

type Limits = { [K in keyof typeof INPUT_LIMITS]: number };

export interface GuardedStream {
  stream: MessageStream;
  /** True once the client closed its end (stdin reached its end). */
  inputEnded: () => boolean;
}

function validId(id: unknown, limits: Limits): id is JsonRpcId {
  return isJsonRpcId(id) && !(typeof id === 'string' && id.length > limits.maxIdLength);
}

/** Why a parsed message is not one the connection should see, or undefined if it may pass. */
function rejectReason(msg: unknown, limits: Limits): { id: JsonRpcId; message: string } | undefined {
  if (Array.isArray(msg)) return { id: null, message: 'JSON-RPC batches are not supported' };
  if (typeof msg !== 'object' || msg === null)
    return { id: null, message: 'a message must be a JSON object' };
  const m = msg as Record<string, unknown>;
  const id = 'id' in m && validId(m.id, limits) ? m.id : null;
  if ('id' in m && !validId(m.id, limits))
    return {
      id: null,
      message: `"id" must be a string of at most ${limits.maxIdLength} characters, a number or null`,
    };
  if (m.jsonrpc !== '2.0') return { id, message: '"jsonrpc" must be "2.0"' };
  if ('method' in m) {
    if (typeof m.method !== 'string') return { id, message: '"method" must be a string' };
    if (m.method.length > limits.maxMethodLength)
      return { id, message: `"method" is longer than ${limits.maxMethodLength} characters` };
    return undefined;
  }
  if (!('id' in m)) return { id: null, message: 'a message needs a "method" or an "id"' };
  return undefined;
}

/** Ids compared by value and type (1 and "1" are different requests). */
function requestKey(id: unknown): string {
  return JSON.stringify(id);
}

export function guardedNdJsonStream(
  input: Readable,
  output: Writable,
  limits: Limits = INPUT_LIMITS,
): GuardedStream {
  let ended = false;
  /** Requests from the client not yet answered; and the agent's requests to the client. */
  const fromClient = new Set<string>();
  const toClient = new Map<string, JsonRpcId>();
  let inputDone = false;
  let closeReadable: (() => void) | undefined;
  let answerLocally: ((id: JsonRpcId) => void) | undefined;
  const settle = () => {
    if (inputDone && fromClient.size === 0) closeReadable?.();
  };
  const track = (message: unknown) => {
    const m = message as { id?: unknown; method?: unknown };
    if (m.id === undefined || m.id === null) return;
    if (typeof m.method === 'string') {
      toClient.set(requestKey(m.id), m.id as JsonRpcId);
      // Nobody is left to answer it: say so now rather than wait forever.
      if (inputDone) answerLocally?.(m.id as JsonRpcId);
    } else {
      fromClient.delete(requestKey(m.id));
      settle();
    }
  };
  let writing = Promise.resolve();
  const writeLine = (message: unknown): Promise<void> => {
    const text = JSON.stringify(message) + '\n';
    const done = writing.then(
      () =>
        new Promise<void>((resolve, reject) => output.write(text, (err) => (err ? reject(err) : resolve()))),
    );
    writing = done.catch(() => {});
    return done;
  };
  const answerError = (id: JsonRpcId, code: number, message: string, data?: unknown) =>
    writeLine({ jsonrpc: '2.0', id, error: { code, message, ...(data === undefined ? {} : { data }) } });

  let cancelled = false;
  const readable = new ReadableStream<AnyMessage>({
    async start(controller) {
      const splitter = new BoundedLineSplitter(limits.maxLineBytes);
      const handleLine = async (line: Buffer) => {
        const text = line.toString('utf8').trim();
        if (!text) return;
        if (nestsDeeperThan(line, limits.maxDepth)) {
          await answerError(null, -32600, `Invalid request: nested deeper than ${limits.maxDepth} levels`);
          return;
        }
        let msg: unknown;
        try {
          msg = JSON.parse(text);
        } catch {
          await answerError(null, -32700, 'Parse error: the line is not valid JSON');
          return;
        }
        const rejected = rejectReason(msg, limits);
        if (rejected) await answerError(rejected.id, -32600, `Invalid request: ${rejected.message}`);
        else {
          const m = msg as { id?: unknown; method?: unknown };
          if (m.id !== undefined && m.id !== null) {
            if (typeof m.method === 'string') fromClient.add(requestKey(m.id));
            else toClient.delete(requestKey(m.id));
          }
          controller.enqueue(msg as AnyMessage);
        }
      };
      answerLocally = (id) => {
        if (!toClient.delete(requestKey(id))) return;
        controller.enqueue({
          jsonrpc: '2.0',
          id: id as string | number,
          error: { code: -32603, message: 'The client closed the connection before answering' },
        } as AnyMessage);
      };
      closeReadable = () => {
        if (ended) return;
        ended = true;
        controller.close();
      };
      try {
        for await (const chunk of input as AsyncIterable<Buffer | string>) {
          if (cancelled) return;
          const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
          for (const item of splitter.push(bytes)) {
            if ('tooLarge' in item)
              await answerError(
                null,
                -32600,
                `Invalid request: message larger than ${limits.maxLineBytes} bytes`,
                {
                  maxMessageBytes: limits.maxLineBytes,
                },
              );
            else await handleLine(item.line);
            if (cancelled) return;
          }
        }
        const last = splitter.flush();
        if (last) await handleLine(last);
        inputDone = true;
        for (const id of [...toClient.values()]) answerLocally(id);
        settle();
      } catch (err) {
        if (!cancelled) controller.error(err);
      }
    },
    cancel() {
      cancelled = true;
      input.destroy();
    },
  });
  const writable = new WritableStream<AnyMessage>({
    write: async (message) => {
      await writeLine(message);
      track(message);
    },
  });
  return { stream: { readable, writable }, inputEnded: () => ended };
}
