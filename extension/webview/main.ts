// Webview entry point (bundled to dist/webview.js): wires the panel to the
// extension host through `acquireVsCodeApi()` and JSON-RPC.
import { type ChatApp, createChatApp } from './app.js';
import { type HostNotification, connectToHost } from './rpc.js';
import type { PersistedUiState } from './ui-state.js';

type VsCodeApi = {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: PersistedUiState): void;
};

declare function acquireVsCodeApi(): VsCodeApi;

function main(): void {
  const root = document.getElementById('app');
  if (!root) throw new Error('Cairn webview: the page has no #app element.');
  const vscode = acquireVsCodeApi();
  let app: ChatApp | undefined;
  // The channel must exist before the app; anything arriving in between is kept.
  const early: HostNotification[] = [];
  const host = connectToHost(
    {
      post: (message) => vscode.postMessage(message),
      listen(handler) {
        const listener = (event: MessageEvent) => handler(event.data);
        window.addEventListener('message', listener);
        return () => window.removeEventListener('message', listener);
      },
    },
    (notification) => (app ? app.receive(notification) : early.push(notification)),
  );
  app = createChatApp(root, host, { load: () => vscode.getState(), save: (state) => vscode.setState(state) });
  for (const notification of early.splice(0)) app.receive(notification);
  void app.start();
}

main();
