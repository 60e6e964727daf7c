import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { JSONRPCClient, JSONRPCServer, JSONRPCServerAndClient } from 'json-rpc-2.0';
import type { ChatHost } from '../chat-host.js';
import {
  WebviewMethod,
  type HostNotificationMethod,
  type HostNotifications,
  type WebviewRequestMethod,
} from '../../shared/webview-protocol.js';
import { errorMessage } from '../../shared/error-message.js';
import { JobResultsBadge } from '../job-results.js';

export const CHAT_VIEW_ID = 'cairn.chat';
/** Scheduled jobs finish while nobody looks: their unseen results are counted this often. */
const JOB_BADGE_REFRESH_MS = 60_000;

/**
 * The sidebar chat: loads the webview bundle and connects it to the chat host with typed
 * JSON-RPC over `postMessage`.
 */
export class ChatViewProvider implements vscode.WebviewViewProvider {
  private view: vscode.WebviewView | null = null;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly getHost: () => Promise<ChatHost>,
    private readonly log: (line: string) => void,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    view.webview.options = {
      enableScripts: true,
      localResourceRoots: [dist, vscode.Uri.joinPath(this.extensionUri, 'media')],
    };

    const peer = new JSONRPCServerAndClient(
      new JSONRPCServer(),
      new JSONRPCClient((payload) => void view.webview.postMessage(payload)),
      { errorListener: (message, data) => this.log(`[webview rpc] ${message} ${String(data ?? '')}`) },
    );
    for (const method of Object.values(WebviewMethod) as WebviewRequestMethod[]) {
      peer.addMethod(method, async (params: unknown) => {
        try {
          const host = await this.getHost();
          const handler = host.handlers[method] as (params: unknown) => Promise<unknown>;
          return await handler(params ?? {});
        } catch (err) {
          // The webview shows the message; the log keeps it for a bug report.
          this.log(`[cairn] ${method} failed: ${errorMessage(err)}`);
          throw err;
        }
      });
    }
    const received = view.webview.onDidReceiveMessage((message: unknown) => {
      if (
        typeof message !== 'object' ||
        message === null ||
        (message as { jsonrpc?: unknown }).jsonrpc !== '2.0'
      )
        return;
      peer
        .receiveAndSend(message, undefined, undefined)
        .catch((err: unknown) => this.log(`[webview rpc] ${String(err)}`));
    });
    const sink = <M extends HostNotificationMethod>(method: M, params: HostNotifications[M]) =>
      peer.notify(method, params as never, undefined);
    // Attached before the webview's first request can reach the host (requests await it too).
    const attached = this.getHost().then((host) => {
      host.attachView(sink);
      // The server starts while the webview loads, not when it first asks.
      host.warmUp();
      return host;
    });
    const stopBadge = this.showJobResults(view, attached);
    view.onDidDispose(() => {
      stopBadge();
      received.dispose();
      peer.rejectAllPendingRequests('The chat view was closed.');
      void attached.then((host) => host.attachView(null));
      this.view = null;
    });
    view.webview.html = this.html(view.webview);
  }

  /**
   * The view's badge counts unseen job results: counted when the chat is idle (connected, a
   * turn ended, a session opened), when the view is shown, and every minute.
   */
  private showJobResults(view: vscode.WebviewView, host: Promise<ChatHost>): () => void {
    const badge = new JobResultsBadge({
      list: async (cursor) => (await host).handlers.listSessions(cursor ? { cursor } : {}),
      show: (b) => {
        view.badge = b;
      },
      log: this.log,
    });
    let unsubscribe: (() => void) | null = null;
    void host.then((h) => {
      // Idle states are few (connected, a turn ended, a session opened or loaded); refreshes
      // asked for while one runs are coalesced into one more, so the count is taken after a
      // load has marked its job result seen.
      unsubscribe = h.onStateChange((state) => {
        if (state.activity === 'idle') void badge.refresh();
      });
    });
    const shown = view.onDidChangeVisibility(() => {
      if (view.visible) void badge.refresh();
    });
    const timer = setInterval(() => void badge.refresh(), JOB_BADGE_REFRESH_MS);
    return () => {
      clearInterval(timer);
      shown.dispose();
      unsubscribe?.();
    };
  }

  get visible(): boolean {
    return !!this.view?.visible;
  }

  async reveal(): Promise<void> {
    if (this.view) this.view.show(true);
    else await vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
  }

  private html(webview: vscode.Webview): string {
    const nonce = randomBytes(16).toString('base64');
    const asset = (name: string) =>
      webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', name));
    const csp = [
      "default-src 'none'",
      `img-src ${webview.cspSource} data:`,
      `style-src ${webview.cspSource}`,
      `font-src ${webview.cspSource}`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('webview.css')}">
<title>Cairn</title>
</head>
<body>
<div id="app"></div>
<script nonce="${nonce}" src="${asset('webview.js')}"></script>
</body>
</html>`;
  }
}
