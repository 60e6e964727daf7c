import * as vscode from 'vscode';
import type { AgentActivity, HostState } from '../../shared/webview-protocol.js';

const LOOK: Record<AgentActivity, { text: string; tooltip: string; warn?: boolean }> = {
  starting: { text: '$(loading~spin) Cairn', tooltip: 'Cairn is starting' },
  idle: { text: '$(comment-discussion) Cairn', tooltip: 'Cairn is idle' },
  working: { text: '$(sync~spin) Cairn: working', tooltip: 'Cairn is working — click to open the chat' },
  awaiting_approval: {
    text: '$(bell-dot) Cairn: approval needed',
    tooltip: 'Cairn is waiting for your approval',
    warn: true,
  },
  stopped: {
    text: '$(error) Cairn: stopped',
    tooltip: 'The Cairn server stopped — click to open the chat',
    warn: true,
  },
};

/** The agent's state in the status bar; a click opens the chat. */
export function createStatusBar(openCommand: string): {
  item: vscode.StatusBarItem;
  update(s: HostState): void;
} {
  const item = vscode.window.createStatusBarItem('cairn.status', vscode.StatusBarAlignment.Left, 100);
  item.name = 'Cairn';
  item.command = openCommand;
  const update = (s: HostState) => {
    const look = LOOK[s.activity];
    item.text = look.text;
    item.tooltip = s.activity === 'stopped' && s.exit ? s.exit.message : look.tooltip;
    item.backgroundColor = look.warn ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  };
  // Until the chat host loads (first use), a plain entry point.
  item.text = '$(comment-discussion) Cairn';
  item.tooltip = 'Open the Cairn chat';
  item.show();
  return { item, update };
}
