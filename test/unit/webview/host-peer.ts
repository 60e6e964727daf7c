/// <reference types="node" />
// A real JSON-RPC peer playing the extension host: the webview talks to it
// through the same json-rpc-2.0 library and message shapes as in VS Code.
import { JSONRPCClient, JSONRPCErrorException, JSONRPCServer, JSONRPCServerAndClient } from 'json-rpc-2.0';
import {
  WebviewMethod,
  type HostNotificationMethod,
  type HostNotificationParams,
  type WebviewRequestMethod,
  type WebviewRequestParams,
  type WebviewRequestResult,
} from '../../../shared/webview-protocol.js';
import type { MessageChannel } from '../../../extension/webview/rpc.js';

type Handler<M extends WebviewRequestMethod> = (
  params: WebviewRequestParams<M>,
) => WebviewRequestResult<M> | Promise<WebviewRequestResult<M>>;

export type HostPeer = {
  /** The webview's side of the channel. */
  channel: MessageChannel;
  /** Every request the webview made, in order. */
  calls: { method: WebviewRequestMethod; params: unknown }[];
  handle<M extends WebviewRequestMethod>(method: M, handler: Handler<M>): void;
  notify<M extends HostNotificationMethod>(method: M, params: HostNotificationParams<M>): void;
};

/** Lets queued messages and promise callbacks run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

export function createHostPeer(): HostPeer {
  const listeners = new Set<(message: unknown) => void>();
  const calls: HostPeer['calls'] = [];
  // Messages cross as structured clones, asynchronously, like postMessage.
  const toWebview = (message: unknown) => {
    const copy = structuredClone(message);
    setImmediate(() => listeners.forEach((l) => l(copy)));
  };
  // Refusals are part of the tests: no console noise for them.
  const peer = new JSONRPCServerAndClient(
    new JSONRPCServer({ errorListener: () => {} }),
    new JSONRPCClient(toWebview),
  );
  const handlers = new Map<string, (params: unknown) => unknown>();
  // Every request the protocol defines, so a new one cannot be missed here.
  const methods: WebviewRequestMethod[] = Object.values(WebviewMethod);
  for (const method of methods) {
    peer.addMethod(method, async (params: unknown) => {
      calls.push({ method, params });
      const handler = handlers.get(method);
      try {
        return handler ? await handler(params) : null;
      } catch (error) {
        // A refusal the webview shows to the user, as the real host sends it.
        throw new JSONRPCErrorException(error instanceof Error ? error.message : String(error), 1);
      }
    });
  }
  return {
    calls,
    channel: {
      post(message) {
        const copy = structuredClone(message);
        setImmediate(() => void peer.receiveAndSend(copy, undefined, undefined));
      },
      listen(handler) {
        listeners.add(handler);
        return () => listeners.delete(handler);
      },
    },
    handle(method, handler) {
      handlers.set(method, handler as (params: unknown) => unknown);
    },
    notify(method, params) {
      peer.notify(method, params, undefined);
    },
  };
}
