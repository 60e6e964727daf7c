// The webview's end of the typed JSON-RPC channel to the extension host
// (json-rpc-2.0 over postMessage). Requests go out and await their results;
// host notifications come in as reducer actions.
import { JSONRPCClient, JSONRPCServer, JSONRPCServerAndClient } from 'json-rpc-2.0';
import {
  HostMethod,
  type HostNotifications,
  type WebviewRequestMethod,
  type WebviewRequestParams,
  type WebviewRequestResult,
} from '../../shared/webview-protocol.js';

/** How messages travel: `postMessage` one way, `message` events the other. */
export type MessageChannel = {
  post(message: unknown): void;
  /** Subscribes to incoming messages; returns an unsubscribe function. */
  listen(handler: (message: unknown) => void): () => void;
};

export type HostNotification = {
  [M in keyof HostNotifications]: { type: M; params: HostNotifications[M] };
}[keyof HostNotifications];

export type HostClient = {
  request<M extends WebviewRequestMethod>(
    method: M,
    params: WebviewRequestParams<M>,
  ): Promise<WebviewRequestResult<M>>;
};

export type HostConnection = HostClient & { close(): void };

function isJsonRpc(message: unknown): boolean {
  return (
    typeof message === 'object' && message !== null && (message as { jsonrpc?: unknown }).jsonrpc === '2.0'
  );
}

export function connectToHost(
  channel: MessageChannel,
  onNotification: (notification: HostNotification) => void,
): HostConnection {
  const peer = new JSONRPCServerAndClient(
    new JSONRPCServer(),
    new JSONRPCClient((payload) => channel.post(payload)),
    { errorListener: (message, data) => console.error(`[cairn webview] ${message}`, data) },
  );
  for (const method of Object.values(HostMethod)) {
    peer.addMethod(method, (params: unknown) => {
      onNotification({ type: method, params } as HostNotification);
      return null;
    });
  }
  const unsubscribe = channel.listen((message) => {
    // Other extensions' or VS Code's own messages are not ours to parse.
    if (!isJsonRpc(message)) return;
    peer.receiveAndSend(message, undefined, undefined).catch((error: unknown) => {
      console.error('[cairn webview] could not handle a host message', error);
    });
  });
  return {
    request(method, params) {
      return Promise.resolve(peer.request(method, params, undefined));
    },
    close() {
      unsubscribe();
      peer.rejectAllPendingRequests('The panel was closed.');
    },
  };
}
