import type { AgentApp, AgentConnection, AnyMessage } from '../../agent-server/acp/rpc/index.js';

/**
 * An agent app connected to raw JSON-RPC messages: the test plays the client, message by
 * message, and sees exactly what the agent writes.
 */
export interface Wire {
  agent: AgentConnection;
  send(message: unknown): Promise<void>;
  /** The agent's next message (a response, a notification or a request to the client), as JSON. */
  next(): Promise<Record<string, unknown>>;
  /** Messages written and not yet taken by next(). */
  unread(): number;
  /** The client closes its end: the agent's input ends. */
  end(): Promise<void>;
}

export function wire(app: AgentApp): Wire {
  const toAgent = new TransformStream<AnyMessage, AnyMessage>();
  const toClient = new TransformStream<AnyMessage, AnyMessage>();
  const agent = app.connect({ readable: toAgent.readable, writable: toClient.writable });
  const writer = toAgent.writable.getWriter();
  const queue: Record<string, unknown>[] = [];
  const waiting: ((m: Record<string, unknown>) => void)[] = [];
  void toClient.readable.pipeTo(
    new WritableStream({
      write(message) {
        // Through JSON, as on the wire: an undefined `data` is not there.
        const json = JSON.parse(JSON.stringify(message)) as Record<string, unknown>;
        const waiter = waiting.shift();
        if (waiter) waiter(json);
        else queue.push(json);
      },
    }),
  );
  return {
    agent,
    send: (message) => writer.write(message as AnyMessage),
    next: () => {
      const ready = queue.shift();
      return ready ? Promise.resolve(ready) : new Promise((resolve) => waiting.push(resolve));
    },
    unread: () => queue.length,
    end: () => writer.close(),
  };
}

export const request = (id: number | string, method: string, params?: unknown) => ({
  jsonrpc: '2.0',
  id,
  method,
  ...(params === undefined ? {} : { params }),
});
