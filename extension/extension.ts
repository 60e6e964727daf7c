/**
 * VS Code entry point: wiring only. The logic lives in modules that do not import `vscode`
 * (chat-host, edit-reviews, ...); `vscode/` holds the thin adapters over the editor API.
 * Nothing starts at activation: the chat host (and the ACP SDK, the costly part to load) is
 * imported when the chat view opens or a command needs it, and it starts the server then.
 */
import * as vscode from 'vscode';
import type { ChatHost } from './chat-host.js';
import type { AutoApproveSettings } from './approval-policy.js';
import { existsSync } from 'node:fs';
import { editorRipgrepCandidates, serverLaunch, type ServerSettings } from './server-launch.js';
import { ChatViewProvider, CHAT_VIEW_ID } from './vscode/chat-view.js';
import { ReviewEditor } from './vscode/review-editor.js';
import { showAgentTerminal } from './vscode/agent-terminal.js';
import { ContextSources, mentionFolders } from './vscode/context-sources.js';
import { createStatusBar } from './vscode/status-bar.js';
import { LearningView } from './vscode/learning-view.js';
import { CheckpointPreview } from './vscode/checkpoint-preview.js';
import { LearningCli } from './learning/learning-cli.js';
import {
  mentionFiles,
  openDocumentText,
  openLocation,
  readCurrentText,
  workspaceFolders,
} from './vscode/workspace-files.js';
import type { ContextItem, HostCommand } from '../shared/webview-protocol.js';
import { isKeylessPreset } from '../shared/model-presets.js';

const API_KEY_SECRET = 'cairn.apiKey';
/** This workspace's auto-approval choice, in VS Code's workspace state (not in the repository). */
const AUTO_APPROVE_STATE = 'cairn.autoApprove';

let loadedHost: Promise<ChatHost> | null = null;

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('Cairn');
  const log = (line: string) => output.appendLine(line);
  const config = () => vscode.workspace.getConfiguration('cairn');
  const workspaceRoot = () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? null;
  const reviewEditor = new ReviewEditor();
  const checkpointPreview = new CheckpointPreview(workspaceRoot);

  // User settings (application scope: a repository's settings cannot set them), or this
  // workspace's choice, kept in VS Code's workspace state rather than in the repository.
  const autoApprove = (): AutoApproveSettings => {
    const here = context.workspaceState.get<Partial<AutoApproveSettings>>(AUTO_APPROVE_STATE) ?? {};
    return {
      reads: config().get<boolean>('autoApprove.reads', false) || here.reads === true,
      edits: config().get<boolean>('autoApprove.edits', false) || here.edits === true,
    };
  };

  const runCommand = async (command: HostCommand) => {
    if (command === 'setApiKey') await vscode.commands.executeCommand('cairn.setApiKey');
    else if (command === 'openSettings')
      await vscode.commands.executeCommand('workbench.action.openSettings', 'cairn');
    else output.show(true);
  };

  const createHost = async (): Promise<ChatHost> => {
    const [{ ChatHost }, { startAgentProcess }] = await Promise.all([
      import('./chat-host.js'),
      import('./agent-process.js'),
    ]);
    const host = new ChatHost({
      workspaceRoot,
      launchAgent: async () => {
        const c = config();
        const settings: ServerSettings = {
          modelPreset: c.get<string>('model.preset', ''),
          baseUrl: c.get<string>('model.baseUrl', ''),
          model: c.get<string>('model.model', ''),
          serverPath: c.get<string>('server.path', ''),
        };
        const launch = serverLaunch({
          execPath: process.execPath,
          extensionPath: context.extensionPath,
          cwd: workspaceRoot() ?? context.extensionPath,
          baseEnv: process.env,
          settings,
          apiKey: await context.secrets.get(API_KEY_SECRET),
          ripgrepPath: editorRipgrepCandidates(vscode.env.appRoot).find((p) => existsSync(p)) ?? null,
        });
        log(`[cairn] starting the ${launch.server}: ${launch.args.join(' ')} in ${launch.cwd}`);
        const trace = c.get<boolean>('trace.protocol', false);
        return startAgentProcess(launch, {
          stderr: (line) => output.appendLine(line),
          trace: trace ? (dir, text) => output.append(`${dir === 'send' ? '→' : '←'} ${text}`) : undefined,
        });
      },
      // "Has a key" means "no key is missing": one in the editor's environment reaches the server
      // the same way, and local model servers need none.
      hasApiKey: async () =>
        !!(await context.secrets.get(API_KEY_SECRET)) ||
        !!process.env.OPENAI_API_KEY ||
        isKeylessPreset(config().get<string>('model.preset', '')),
      autoApprove,
      readText: readCurrentText,
      workspaceFolders,
      openDocumentText,
      reviews: reviewEditor,
      mentionFiles,
      mentionFolders,
      resolveReference: (ref, folder) => contextSources.resolve(ref, folder),
      openLocation,
      runCommand,
      checkpoints: checkpointPreview,
      terminalStarted: (terminal) => void showAgentTerminal(terminal),
      attentionNeeded: (message) => {
        if (vscode.window.state.focused || !config().get<boolean>('notifyWhenUnfocused', true)) return;
        void vscode.window.showInformationMessage(message, 'Open Cairn').then((pick) => {
          if (pick) void view.reveal();
        });
      },
      log,
    });
    status.update(host.state);
    host.onStateChange((state) => {
      status.update(state);
      const reviewPending = host.pendingReviewIds().length > 0;
      void vscode.commands.executeCommand('setContext', 'cairn.reviewPending', reviewPending);
      void vscode.commands.executeCommand('setContext', 'cairn.working', state.activity === 'working');
    });
    context.subscriptions.push({ dispose: () => host.dispose() });
    return host;
  };
  const contextSources = new ContextSources(workspaceRoot);
  context.subscriptions.push(contextSources);
  const getHost = () => (loadedHost ??= createHost());
  const view = new ChatViewProvider(context.extensionUri, getHost, log);
  // Memory & Skills: what Cairn learned, read and changed through the bundled CLI.
  const learning = new LearningView(
    new LearningCli({
      execPath: process.execPath,
      extensionPath: context.extensionPath,
      cwd: workspaceRoot,
      env: process.env,
    }),
    async (sessionId) => {
      const host = await getHost();
      await view.reveal();
      await host.handlers.loadSession({ sessionId });
    },
  );
  const status = createStatusBar('cairn.openChat');

  /** Runs a webview request from a command, showing failures instead of dropping them. */
  const guarded =
    <A extends unknown[]>(fn: (...args: A) => Promise<unknown>) =>
    async (...args: A) => {
      try {
        await fn(...args);
      } catch (err) {
        void vscode.window.showErrorMessage(`Cairn: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
  const reviewIdFor = async (uri: unknown): Promise<string | null> =>
    ReviewEditor.reviewIdOf(uri instanceof vscode.Uri ? uri : undefined) ??
    ReviewEditor.reviewIdOf(vscode.window.activeTextEditor?.document.uri) ??
    (await getHost()).pendingReviewIds().at(-1) ??
    null;
  const addContext = async (item: ContextItem) => {
    await view.reveal();
    (await getHost()).addContext(item);
  };

  context.subscriptions.push(
    output,
    status.item,
    reviewEditor.register(),
    checkpointPreview.register(),
    learning.register(),
    vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, view, {
      webviewOptions: { retainContextWhenHidden: true },
    }),
    vscode.commands.registerCommand('cairn.openChat', () => view.reveal()),
    vscode.commands.registerCommand(
      'cairn.newChat',
      guarded(async () => (await getHost()).handlers.newChat({})),
    ),
    vscode.commands.registerCommand(
      'cairn.stop',
      guarded(async () => (await getHost()).handlers.cancel({})),
    ),
    vscode.commands.registerCommand(
      'cairn.restart',
      guarded(async () => (await getHost()).restart()),
    ),
    vscode.commands.registerCommand('cairn.showLog', () => output.show(true)),
    vscode.commands.registerCommand(
      'cairn.acceptEdit',
      guarded(async (uri?: unknown) => {
        const id = await reviewIdFor(uri);
        if (!id) throw new Error('No edit is waiting for review.');
        await (await getHost()).handlers.acceptEdit({ reviewId: id });
      }),
    ),
    vscode.commands.registerCommand(
      'cairn.rejectEdit',
      guarded(async (uri?: unknown) => {
        const id = await reviewIdFor(uri);
        if (!id) throw new Error('No edit is waiting for review.');
        await (await getHost()).handlers.rejectEdit({ reviewId: id });
      }),
    ),
    vscode.commands.registerCommand(
      'cairn.setApiKey',
      guarded(async () => {
        const key = await vscode.window.showInputBox({
          title: 'Cairn: API key',
          prompt: 'Stored in VS Code’s secret storage and passed to the Cairn server as OPENAI_API_KEY.',
          password: true,
          ignoreFocusOut: true,
        });
        if (key === undefined) return;
        const host = await getHost();
        if (key.trim()) await context.secrets.store(API_KEY_SECRET, key.trim());
        else await context.secrets.delete(API_KEY_SECRET);
        await host.refreshApiKeyState();
        // The key reaches the server through its environment: a running server needs a restart.
        if (host.state.activity !== 'starting' && host.state.activity !== 'stopped') await host.restart();
        void vscode.window.showInformationMessage(
          key.trim() ? 'Cairn: API key saved.' : 'Cairn: API key removed.',
        );
      }),
    ),
    vscode.commands.registerCommand(
      'cairn.autoApproveWorkspace',
      guarded(async () => {
        const here = context.workspaceState.get<Partial<AutoApproveSettings>>(AUTO_APPROVE_STATE) ?? {};
        const items = [
          { label: 'File reads', key: 'reads' as const, picked: here.reads === true },
          {
            label: 'Edits',
            description: 'applied without the inline review, never over unsaved changes',
            key: 'edits' as const,
            picked: here.edits === true,
          },
        ];
        const picks = await vscode.window.showQuickPick(items, {
          title: 'Cairn: approve without asking in this workspace (commands always ask)',
          canPickMany: true,
        });
        if (!picks) return;
        const chosen = new Set(picks.map((p) => p.key));
        await context.workspaceState.update(AUTO_APPROVE_STATE, {
          reads: chosen.has('reads'),
          edits: chosen.has('edits'),
        });
      }),
    ),
    vscode.commands.registerCommand(
      'cairn.resumeSession',
      guarded(async () => {
        const host = await getHost();
        const { sessions } = await host.handlers.listSessions({});
        const pick = await vscode.window.showQuickPick(
          sessions.map((s) => ({
            label: s.title ?? s.sessionId,
            description: s.updatedAt ? new Date(s.updatedAt).toLocaleString() : undefined,
            sessionId: s.sessionId,
          })),
          {
            title: 'Cairn: Resume a session',
            placeHolder: sessions.length ? undefined : 'No saved sessions',
          },
        );
        if (!pick) return;
        await view.reveal();
        await host.handlers.loadSession({ sessionId: pick.sessionId });
      }),
    ),
    vscode.commands.registerCommand(
      'cairn.addSelection',
      guarded(async () => {
        const editor = vscode.window.activeTextEditor;
        if (!editor || editor.document.uri.scheme !== 'file')
          throw new Error('Select some text in a file first.');
        const sel = editor.selection;
        const range = sel.isEmpty ? editor.document.lineAt(sel.active.line).range : sel;
        await addContext({
          kind: 'selection',
          path: editor.document.uri.fsPath,
          relPath: vscode.workspace.asRelativePath(editor.document.uri, false),
          startLine: range.start.line + 1,
          endLine: range.end.line + 1,
          text: editor.document.getText(range),
          languageId: editor.document.languageId,
        });
      }),
    ),
    vscode.commands.registerCommand(
      'cairn.addFile',
      guarded(async (uri?: unknown) => {
        const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
        if (!target || target.scheme !== 'file') throw new Error('Choose a file to add.');
        await addContext({
          kind: 'file',
          path: target.fsPath,
          relPath: vscode.workspace.asRelativePath(target, false),
        });
      }),
    ),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      // Only a server that is running needs a restart to see new model settings.
      if (!e.affectsConfiguration('cairn.model') || !loadedHost) return;
      const host = await loadedHost;
      if (host.state.activity === 'stopped') return;
      const pick = await vscode.window.showInformationMessage(
        'Cairn: restart the server to use the new model settings.',
        'Restart',
      );
      if (pick) await host.restart();
    }),
  );
}

export async function deactivate(): Promise<void> {
  const host = await loadedHost?.catch(() => null);
  loadedHost = null;
  await host?.stop();
}
