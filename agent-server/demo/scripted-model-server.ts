import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A scripted OpenAI-compatible chat-completions server on loopback. It is what `cairn demo`
 * runs against (no model is needed to see Cairn work) and the model stand-in of the test suite.
 * Each step answers one `/v1/chat/completions` request as a real SSE stream.
 */

export interface ScriptedToolCall {
  name: string;
  arguments: Record<string, unknown> | string;
  id?: string;
}

export type ScriptFault =
  /** 500 with a JSON error body */
  | 'http_500'
  /** 503 with `retry-after: 0` (an overloaded provider) */
  | 'http_503'
  /** 400 with `errorMessage` (a parameter the endpoint refuses) */
  | 'http_400'
  /** 429 with `retry-after: 0` */
  | 'http_429'
  /** 401 invalid key */
  | 'http_401'
  /** the connection is destroyed before any response */
  | 'reset'
  /** a few chunks, then the connection is destroyed mid-stream */
  | 'cut_stream'
  /** a tool call whose arguments are not valid JSON */
  | 'bad_tool_json'
  /** headers sent, then nothing until the client gives up */
  | 'hang';

export interface ScriptStep {
  text?: string;
  reasoning?: string;
  toolCalls?: ScriptedToolCall[];
  /** `cost`: as OpenRouter reports it (US dollars). */
  usage?: { prompt_tokens: number; completion_tokens: number; cost?: number };
  fault?: ScriptFault;
  /** The error text of an `http_400`. */
  errorMessage?: string;
  /** Characters per streamed chunk (default 12). */
  chunkSize?: number;
  /** Pause between chunks in ms (default 0). */
  delayMs?: number;
}

/** The JSON body of a chat-completions request, as received. */
export interface ChatRequestBody {
  model: string;
  messages: Array<Record<string, unknown>>;
  tools?: Array<{ type: string; function: { name: string; description?: string; parameters?: unknown } }>;
  stream?: boolean;
  [key: string]: unknown;
}

export type Script = ScriptStep[] | ((request: ChatRequestBody, index: number) => ScriptStep);

export interface ScriptedModel {
  /** OpenAI base URL, ending in `/v1`. */
  url: string;
  /** Every chat request received, in order. */
  requests: ChatRequestBody[];
  /** Requests that had no step left (answered with an error). */
  unscripted: number;
  close(): Promise<void>;
}

export async function startScriptedModel(
  script: Script,
  /** `models`: what GET /models lists; unset, /models answers 404 (an endpoint without a list). */
  opts: { port?: number; models?: string[] } = {},
): Promise<ScriptedModel> {
  const requests: ChatRequestBody[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const state = { unscripted: 0 };
  let callCounter = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'GET' && req.url?.endsWith('/models') && opts.models) {
        const data = opts.models.map((id) => ({ id, object: 'model', owned_by: 'cairn' }));
        json(res, 200, { object: 'list', data });
        return;
      }
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        json(res, 404, { error: { message: `No route ${req.method} ${req.url}`, type: 'not_found' } });
        return;
      }
      let body: ChatRequestBody;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequestBody;
      } catch {
        json(res, 400, { error: { message: 'Request body is not JSON', type: 'invalid_request_error' } });
        return;
      }
      const index = requests.length;
      requests.push(body);
      const step = typeof script === 'function' ? script(body, index) : script[index];
      if (!step) {
        state.unscripted++;
        json(res, 500, {
          error: {
            message: `Scripted model has no step ${index + 1} (script has ${index})`,
            type: 'server_error',
          },
        });
        return;
      }
      void respond(res, req, body, step, () => `call_${++callCounter}`);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    get unscripted() {
      return state.unscripted;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function json(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function splitText(text: string, size: number): string[] {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
  return parts;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function respond(
  res: http.ServerResponse,
  req: http.IncomingMessage,
  body: ChatRequestBody,
  step: ScriptStep,
  nextCallId: () => string,
): Promise<void> {
  switch (step.fault) {
    case 'http_500':
      return json(res, 500, {
        error: { message: 'The scripted server had an internal error', type: 'server_error' },
      });
    case 'http_503':
      return json(
        res,
        503,
        { error: { message: 'The scripted provider is overloaded', type: 'server_error' } },
        { 'retry-after': '0' },
      );
    case 'http_400':
      return json(res, 400, {
        error: { message: step.errorMessage ?? 'Bad request (scripted)', type: 'invalid_request_error' },
      });
    case 'http_429':
      return json(
        res,
        429,
        { error: { message: 'Rate limit reached (scripted)', type: 'rate_limit_error' } },
        { 'retry-after': '0' },
      );
    case 'http_401':
      return json(res, 401, {
        error: { message: 'Incorrect API key provided', type: 'invalid_request_error' },
      });
    case 'reset':
      req.socket.destroy();
      return;
  }

  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  if (step.fault === 'hang') return; // the client's abort or timeout ends it

  const id = `chatcmpl-${Date.now().toString(36)}`;
  const created = Math.floor(Date.now() / 1000);
  const size = step.chunkSize ?? 12;
  let closed = false;
  res.on('close', () => (closed = true));
  const send = async (delta: Record<string, unknown>, finish: string | null = null) => {
    if (closed) return;
    const chunk = {
      id,
      object: 'chat.completion.chunk',
      created,
      model: body.model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    };
    res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    if (step.delayMs) await sleep(step.delayMs);
  };

  await send({ role: 'assistant', content: '' });
  let sent = 0;
  for (const part of splitText(step.reasoning ?? '', size)) {
    await send({ reasoning_content: part });
    sent++;
  }
  for (const part of splitText(step.text ?? '', size)) {
    await send({ content: part });
    if (step.fault === 'cut_stream' && ++sent >= 2) return cut(res);
  }
  if (step.fault === 'cut_stream') return cut(res);
  const calls = step.toolCalls ?? [];
  for (const [index, call] of calls.entries()) {
    let args = typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments);
    if (step.fault === 'bad_tool_json' && index === 0)
      args = args.slice(0, Math.max(1, args.length - 3)) + '",,';
    await send({
      tool_calls: [
        {
          index,
          id: call.id ?? nextCallId(),
          type: 'function',
          function: { name: call.name, arguments: '' },
        },
      ],
    });
    for (const part of splitText(args, Math.max(size, 8))) {
      await send({ tool_calls: [{ index, function: { arguments: part } }] });
    }
  }
  await send({}, calls.length ? 'tool_calls' : 'stop');
  if (!closed) {
    const usage = step.usage ?? estimateUsage(body, step);
    res.write(
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [], usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } })}\n\n`,
    );
    res.write('data: [DONE]\n\n');
    res.end();
  }
}

/** Ends the connection mid-stream, after what was sent so far has reached the client. */
async function cut(res: http.ServerResponse): Promise<void> {
  await new Promise<void>((resolve) => res.write('', () => resolve()));
  await sleep(20);
  res.socket?.destroy();
}

/** Rough token counts (4 chars a token) so usage updates carry plausible numbers. */
function estimateUsage(body: ChatRequestBody, step: ScriptStep) {
  const promptChars = JSON.stringify(body.messages).length + JSON.stringify(body.tools ?? []).length;
  const outChars =
    (step.text ?? '').length + (step.reasoning ?? '').length + JSON.stringify(step.toolCalls ?? []).length;
  return { prompt_tokens: Math.ceil(promptChars / 4), completion_tokens: Math.ceil(outChars / 4) };
}
