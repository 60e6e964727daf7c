// Webview entry point (bundled to dist/webview.js): wires the panel to the
// extension host through `acquireVsCodeApi()` and JSON-RPC.
import { createChatApp } from './app.js';
import type { PersistedUiState } from './ui-state.js';
import { connectToHost } from './rpc.js';

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
  let app: ReturnType<typeof createChatApp> | undefined;
  const pending: Parameters<ReturnType<typeof createChatApp>['receive']>[0][] = [];
  const host = connectToHost(
    {
      post: (message) => vscode.postMessage(message),
      listen(handler) {
        const listener = (event: MessageEvent) => handler(event.data);
        window.addEventListener('message', listener);
        return () => window.removeEventListener('message', listener);
      },
    },
    // Notifications that arrive while the app is being built are replayed into it.
    (notification) => (app ? app.receive(notification) : pending.push(notification)),
  );
  app = createChatApp(root, host, { load: () => vscode.getState(), save: (state) => vscode.setState(state) });
  for (const notification of pending.splice(0)) app.receive(notification);
  void app.start();
}

main();
