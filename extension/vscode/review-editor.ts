import * as vscode from 'vscode';
import { basename } from 'node:path';
import type { FileSnapshot, PendingReview, ReviewPresenter } from '../edit-reviews.js';
import { reviewLenses } from '../review-lenses.js';

export const REVIEW_SCHEME = 'cairn-review';

/**
 * Edit reviews in VS Code's diff editor. Both sides are virtual documents
 * (`cairn-review:/<reviewId>/{current,proposed}/<name>`), so nothing touches the file until
 * Accept, which applies one `WorkspaceEdit` (one undo step) and saves. The proposed side carries
 * labelled "Accept edit" / "Reject edit" CodeLenses (shown when `diffEditor.codeLens` is on).
 */
export class ReviewEditor
  implements ReviewPresenter, vscode.TextDocumentContentProvider, vscode.CodeLensProvider
{
  private readonly texts = new Map<string, string>();
  private readonly pendingIds = new Set<string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  readonly onDidChangeCodeLenses = this.lensesChanged.event;

  register(): vscode.Disposable {
    return vscode.Disposable.from(
      vscode.workspace.registerTextDocumentContentProvider(REVIEW_SCHEME, this),
      vscode.languages.registerCodeLensProvider({ scheme: REVIEW_SCHEME }, this),
      this.changed,
      this.lensesChanged,
    );
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    return reviewLenses(document.uri.path, (id) => this.pendingIds.has(id)).map(
      (lens) =>
        new vscode.CodeLens(top, {
          title: lens.title,
          tooltip: lens.tooltip,
          command: lens.command,
          arguments: [document.uri],
        }),
    );
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.path) ?? '';
  }

  /** The review a diff-editor URI belongs to. */
  static reviewIdOf(uri: vscode.Uri | undefined): string | null {
    if (!uri || uri.scheme !== REVIEW_SCHEME) return null;
    return uri.path.split('/')[1] ?? null;
  }

  async snapshot(path: string): Promise<FileSnapshot> {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === path);
    if (doc) return { text: doc.getText(), exists: true, dirty: doc.isDirty };
    try {
      const bytes = await vscode.workspace.fs.readFile(vscode.Uri.file(path));
      return { text: new TextDecoder().decode(bytes), exists: true, dirty: false };
    } catch {
      return { text: '', exists: false, dirty: false };
    }
  }

  relativePath(path: string): string {
    return vscode.workspace.asRelativePath(path, false);
  }

  async show(review: PendingReview): Promise<void> {
    const { left, right } = this.uris(review);
    this.texts.set(left.path, review.currentText);
    this.texts.set(right.path, review.newText);
    this.pendingIds.add(review.reviewId);
    this.lensesChanged.fire();
    const label = review.isNewFile
      ? 'new file'
      : review.hadUnsavedChanges
        ? 'unsaved ↔ proposed'
        : 'current ↔ proposed';
    await vscode.commands.executeCommand('vscode.diff', left, right, `Cairn: ${review.relPath} (${label})`, {
      preserveFocus: true,
      preview: false,
    });
  }

  refresh(review: PendingReview): void {
    const { left } = this.uris(review);
    this.texts.set(left.path, review.currentText);
    this.changed.fire(left);
  }

  async apply(review: PendingReview): Promise<void> {
    const uri = vscode.Uri.file(review.path);
    const edit = new vscode.WorkspaceEdit();
    const snapshot = await this.snapshot(review.path);
    if (!snapshot.exists) {
      edit.createFile(uri, { ignoreIfExists: true, contents: new TextEncoder().encode(review.newText) });
      if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`Could not create ${review.relPath}.`);
      return;
    }
    const doc = await vscode.workspace.openTextDocument(uri);
    const all = new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length));
    edit.replace(uri, all, review.newText);
    if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`Could not edit ${review.relPath}.`);
    if (!(await doc.save())) throw new Error(`Edited ${review.relPath}, but could not save it.`);
  }

  close(review: PendingReview): void {
    const prefix = `/${review.reviewId}/`;
    this.pendingIds.delete(review.reviewId);
    this.lensesChanged.fire();
    const tabs = vscode.window.tabGroups.all.flatMap((g) =>
      g.tabs.filter(
        (t) =>
          t.input instanceof vscode.TabInputTextDiff &&
          t.input.modified.scheme === REVIEW_SCHEME &&
          t.input.modified.path.startsWith(prefix),
      ),
    );
    void vscode.window.tabGroups.close(tabs, true).then(() => {
      for (const key of [...this.texts.keys()]) if (key.startsWith(prefix)) this.texts.delete(key);
    });
  }

  private uris(review: PendingReview) {
    const name = basename(review.path);
    return {
      left: vscode.Uri.from({ scheme: REVIEW_SCHEME, path: `/${review.reviewId}/current/${name}` }),
      right: vscode.Uri.from({ scheme: REVIEW_SCHEME, path: `/${review.reviewId}/proposed/${name}` }),
    };
  }
}
