import * as vscode from 'vscode';
import type { LearningCli } from '../learning/learning-cli.js';
import {
  entryLine,
  learningItems,
  type LearningItem,
  type MemoryListJson,
  type SkillsListJson,
} from '../learning/learning-items.js';

export const LEARNING_VIEW_ID = 'cairn.learning';

/**
 * "Memory & Skills" in the Cairn container: what Cairn has learned, where each piece came from,
 * and actions to take it back (forget with undo, remove, disable) or open the session behind it.
 */
export class LearningView implements vscode.TreeDataProvider<LearningItem> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private items: Promise<LearningItem[]> | undefined;

  constructor(
    private readonly cli: LearningCli,
    private readonly openSession: (sessionId: string) => Promise<void>,
  ) {}

  refresh(): void {
    this.items = undefined;
    this.changed.fire();
  }

  private load(): Promise<LearningItem[]> {
    this.items ??= Promise.all([
      this.cli.json<MemoryListJson>(['memory', 'list']),
      this.cli.json<SkillsListJson>(['skills', 'list']),
    ]).then(
      ([memory, skills]) => learningItems(memory, skills),
      (err: Error) => [
        { id: 'error', label: 'Could not read memory and skills', description: err.message, actions: [] },
      ],
    );
    return this.items;
  }

  async getChildren(element?: LearningItem): Promise<LearningItem[]> {
    return element ? (element.children ?? []) : this.load();
  }

  getTreeItem(item: LearningItem): vscode.TreeItem {
    const tree = new vscode.TreeItem(
      item.label,
      item.children
        ? item.id === 'memory' || item.id === 'skills'
          ? vscode.TreeItemCollapsibleState.Expanded
          : vscode.TreeItemCollapsibleState.Collapsed
        : vscode.TreeItemCollapsibleState.None,
    );
    tree.id = item.id;
    if (item.description) tree.description = item.description;
    if (item.tooltip) tree.tooltip = item.tooltip;
    // Menus match on these words: "learning forget edit open-session".
    tree.contextValue = ['learning', ...item.actions].join(' ');
    if (item.file) tree.command = { command: 'cairn.learning.edit', title: 'Open', arguments: [item] };
    return tree;
  }

  register(): vscode.Disposable {
    const guarded =
      (fn: (item: LearningItem) => Promise<void>) =>
      async (item: LearningItem): Promise<void> => {
        try {
          await fn(item);
        } catch (err) {
          void vscode.window.showErrorMessage(`Cairn: ${(err as Error).message}`);
        } finally {
          this.refresh();
        }
      };
    return vscode.Disposable.from(
      vscode.window.registerTreeDataProvider(LEARNING_VIEW_ID, this),
      vscode.commands.registerCommand('cairn.learning.refresh', () => this.refresh()),
      vscode.commands.registerCommand('cairn.learning.edit', (item: LearningItem) => this.edit(item)),
      vscode.commands.registerCommand(
        'cairn.learning.openSession',
        guarded(async (item) => {
          if (item.sessionId) await this.openSession(item.sessionId);
        }),
      ),
      vscode.commands.registerCommand(
        'cairn.learning.forget',
        guarded((item) => this.forget(item)),
      ),
      vscode.commands.registerCommand(
        'cairn.learning.removeSkill',
        guarded((item) => this.removeSkill(item)),
      ),
      vscode.commands.registerCommand(
        'cairn.learning.disable',
        guarded(async (item) => {
          if (item.target?.kind === 'skill') await this.cli.run(['skills', 'disable', item.target.name]);
        }),
      ),
      vscode.commands.registerCommand(
        'cairn.learning.enable',
        guarded(async (item) => {
          if (item.target?.kind === 'skill') await this.cli.run(['skills', 'enable', item.target.name]);
        }),
      ),
    );
  }

  private async edit(item: LearningItem): Promise<void> {
    if (!item.file) return;
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(item.file));
    const line = item.target?.kind === 'memory' ? entryLine(doc.getText(), item.line ?? 1) : 0;
    const at = new vscode.Position(line, 0);
    await vscode.window.showTextDocument(doc, { selection: new vscode.Selection(at, at) });
  }

  private async forget(item: LearningItem): Promise<void> {
    if (item.target?.kind !== 'memory') return;
    const { id, text } = item.target;
    const yes = await vscode.window.showWarningMessage(
      `Forget this memory entry?\n\n${text}`,
      { modal: true, detail: `From ${item.description ?? 'by hand'}` },
      'Forget',
    );
    if (yes !== 'Forget') return;
    await this.cli.run(['memory', 'rm', id, '--yes']);
    const [scope, target] = id.split('/');
    void vscode.window.showInformationMessage('Cairn forgot the entry.', 'Undo').then(async (undo) => {
      if (undo !== 'Undo') return;
      const history = await this.cli.json<{ versions: { number: number }[] }>([
        'memory',
        'history',
        scope!,
        target!,
      ]);
      const before = history.versions.at(-2);
      if (before) await this.cli.run(['memory', 'restore', scope!, target!, String(before.number), '--yes']);
      this.refresh();
    });
  }

  private async removeSkill(item: LearningItem): Promise<void> {
    if (item.target?.kind !== 'skill') return;
    const { name, source } = item.target;
    const yes = await vscode.window.showWarningMessage(
      `Remove the ${source} skill ${name}?`,
      {
        modal: true,
        detail:
          source === 'user'
            ? 'Its versions are kept: Undo, or cairn skills restore, brings it back.'
            : 'It is in the repository: git brings it back.',
      },
      'Remove',
    );
    if (yes !== 'Remove') return;
    await this.cli.run(['skills', 'rm', name, '--yes']);
    if (source !== 'user') return;
    void vscode.window.showInformationMessage(`Removed ${name}.`, 'Undo').then(async (undo) => {
      if (undo !== 'Undo') return;
      const history = await this.cli.json<{ versions: { number: number }[] }>(['skills', 'history', name]);
      const before = history.versions.at(-2);
      if (before) await this.cli.run(['skills', 'restore', name, String(before.number), '--yes']);
      this.refresh();
    });
  }
}
