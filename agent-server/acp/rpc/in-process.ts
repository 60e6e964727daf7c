import type * as acp from '@agentclientprotocol/sdk';
import type { AgentApp, AgentConnection } from './agent-app.js';
import type { AnyMessage } from './messages.js';

/**
 * The agent served in-process (`cairn run`, tests): the returned stream is the client's end,
 * for the SDK client's `connect(stream)`. Either side closing closes the other, as the SDK's
 * own app-to-app pair does.
 */
export function connectInProcess(app: AgentApp): { stream: acp.Stream; agent: AgentConnection } {
  const toAgent = new TransformStream<AnyMessage, AnyMessage>();
  const toClient = new TransformStream<AnyMessage, AnyMessage>();
  const agent = app.connect({ readable: toAgent.readable, writable: toClient.writable });
  const reader = toClient.readable.getReader();
  const agentClosed = agent.closed.then(() => ({ done: true as const, value: undefined }));
  const readable = new ReadableStream<AnyMessage>({
    async pull(controller) {
      const next = await Promise.race([reader.read(), agentClosed]);
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    cancel() {
      agent.close();
      void reader.cancel().catch(() => {});
    },
  });
  // Typed as the SDK's Stream: the same JSON-RPC messages, told apart by its own guards.
  return { stream: { readable, writable: toAgent.writable } as unknown as acp.Stream, agent };
}
