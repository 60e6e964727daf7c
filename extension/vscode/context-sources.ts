import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ContextItem, ReferenceKind } from '../../shared/webview-protocol.js';
import { withinBudget } from '../context/budget.js';
import { folderTree } from '../context/folder.js';
import { gitChanges } from '../context/git-changes.js';
import { formatProblems, type Problem } from '../context/problems.js';
import { TerminalOutputRecorder } from '../context/terminal-output.js';
import { rankPaths } from '../file-match.js';

type Reference = Extract<ContextItem, { kind: 'reference' }>;

/**
 * The terminal shell-integration events: VS Code 1.93+, newer than the API the extension is
 * built against (@types/vscode 1.90), so their shape is written down here and their presence
 * checked at run time.
 */
type ShellExecutionEvents = {
  onDidStartTerminalShellExecution?: vscode.Event<{
    terminal: vscode.Terminal;
    execution: { commandLine: { value: string }; read(): AsyncIterable<string> };
  }>;
  onDidEndTerminalShellExecution?: vscode.Event<{ terminal: vscode.Terminal; exitCode: number | undefined }>;
};

const SEVERITY: Record<vscode.DiagnosticSeverity, Problem['severity']> = {
  [vscode.DiagnosticSeverity.Error]: 'error',
  [vscode.DiagnosticSeverity.Warning]: 'warning',
  [vscode.DiagnosticSeverity.Information]: 'info',
  [vscode.DiagnosticSeverity.Hint]: 'hint',
};

function problems(): string {
  const list: Problem[] = [];
  for (const [uri, diagnostics] of vscode.languages.getDiagnostics()) {
    if (uri.scheme !== 'file') continue;
    for (const d of diagnostics) {
      const code = typeof d.code === 'object' ? d.code.value : d.code;
      list.push({
        path: uri.fsPath,
        relPath: vscode.workspace.asRelativePath(uri, false),
        line: d.range.start.line + 1,
        column: d.range.start.character + 1,
        severity: SEVERITY[d.severity],
        message: d.message,
        ...(d.source ? { source: d.source } : {}),
        ...(code !== undefined ? { code: String(code) } : {}),
      });
    }
  }
  return formatProblems(list, vscode.window.activeTextEditor?.document.uri.fsPath ?? null);
}

/**
 * The editor's sources for `@` references: the Problems panel, the active terminal's recent
 * output (recorded through shell integration from activation on), the git working tree, folders.
 */
export class ContextSources implements vscode.Disposable {
  private readonly terminals = new TerminalOutputRecorder<vscode.Terminal>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly workspaceRoot: () => string | null) {
    const events = vscode.window as unknown as ShellExecutionEvents;
    if (events.onDidStartTerminalShellExecution) {
      this.subscriptions.push(
        events.onDidStartTerminalShellExecution(async (e) => {
          this.terminals.commandStarted(e.terminal, e.execution.commandLine.value);
          try {
            for await (const chunk of e.execution.read()) this.terminals.data(e.terminal, chunk);
          } catch {
            // The terminal closed while it was read: keep what arrived.
          }
        }),
      );
    }
    if (events.onDidEndTerminalShellExecution) {
      this.subscriptions.push(
        events.onDidEndTerminalShellExecution((e) => this.terminals.commandEnded(e.terminal, e.exitCode)),
      );
    }
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }

  async resolve(ref: ReferenceKind, folder?: string): Promise<Reference> {
    const root = this.workspaceRoot();
    switch (ref) {
      case 'problems':
        return { kind: 'reference', ref, label: 'problems', ...withinBudget(problems()) };
      case 'terminal':
        return { kind: 'reference', ref, label: 'terminal', ...withinBudget(this.terminalText()) };
      case 'git-changes':
        if (!root) throw new Error('@git-changes needs an open workspace folder.');
        return { kind: 'reference', ref, label: 'git-changes', ...withinBudget(await gitChanges(root)) };
      case 'folder': {
        if (!root || !folder) throw new Error('@folder needs a folder of the open workspace.');
        const tree = await folderTree(root, folder);
        const label = `${path.relative(root, folder) || '.'}/`;
        return { kind: 'reference', ref, label, path: folder, files: tree.files, ...withinBudget(tree.text) };
      }
    }
  }

  private terminalText(): string {
    const terminal = vscode.window.activeTerminal;
    if (!terminal) throw new Error('@terminal needs an open terminal: there is none.');
    const recorded = this.terminals.recent(terminal);
    if (recorded) return `Recent output of the terminal "${terminal.name}":\n${recorded}`;
    throw new Error(
      `Nothing recorded from the terminal "${terminal.name}": Cairn reads terminal output through shell ` +
        'integration (terminal.integrated.shellIntegration.enabled), from commands run since Cairn started.',
    );
  }
}

/** Workspace folders for `@folder` in the picker (folders of files `files.exclude` leaves). */
export async function mentionFolders(
  query: string,
  limit: number,
): Promise<{ path: string; relPath: string }[]> {
  const uris = await vscode.workspace.findFiles('**/*', '{**/node_modules/**,**/.git/**}', 20_000);
  const folders = new Map<string, string>();
  for (const uri of uris) {
    let rel = path.posix.dirname(vscode.workspace.asRelativePath(uri, false));
    let abs = path.dirname(uri.fsPath);
    while (rel !== '.' && rel !== '/' && !folders.has(rel)) {
      folders.set(rel, abs);
      rel = path.posix.dirname(rel);
      abs = path.dirname(abs);
    }
  }
  return rankPaths([...folders.keys()], query, limit).map((relPath) => ({
    relPath: `${relPath}/`,
    path: folders.get(relPath)!,
  }));
}
