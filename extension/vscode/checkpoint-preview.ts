/**
 * A checkpoint restore's preview in VS Code: both sides of each file are served read-only by a
 * content provider (`cairn-checkpoint:`), shown together in the multi-file diff editor
 * (`vscode.changes`) or one at a time (`vscode.diff`). Left: the file now; right: after restore.
 */
import * as vscode from 'vscode';
import type { CheckpointViewer } from '../conversation-control.js';
import type { CheckpointFileContents } from '../checkpoint-requests.js';

const SCHEME = 'cairn-checkpoint';

export class CheckpointPreview implements CheckpointViewer {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private generation = 0;

  constructor(private readonly workspaceRoot: () => string | null) {}

  register(): vscode.Disposable {
    return vscode.Disposable.from(
      this.changed,
      vscode.workspace.registerTextDocumentContentProvider(SCHEME, {
        onDidChange: this.changed.event,
        provideTextDocumentContent: (uri) => this.contents.get(uri.toString()) ?? '',
      }),
    );
  }

  async showChanges(title: string, files: readonly CheckpointFileContents[]): Promise<void> {
    // A new preview replaces the last one's documents (they are small, but need not pile up).
    this.contents.clear();
    this.generation++;
    const resources = files.map((f) => {
      const [left, right] = this.sides(f);
      return [this.fileUri(f.path), left, right];
    });
    await vscode.commands.executeCommand('vscode.changes', title, resources);
  }

  async showDiff(title: string, file: CheckpointFileContents): Promise<void> {
    const [left, right] = this.sides(file);
    await vscode.commands.executeCommand('vscode.diff', left, right, `${file.path}: ${title}`);
  }

  private sides(file: CheckpointFileContents): [vscode.Uri, vscode.Uri] {
    const side = (which: 'now' | 'restored', text: string | null) => {
      // One path for both sides (the diff shows the file's name, not a rename); the query tells them apart.
      const uri = vscode.Uri.from({
        scheme: SCHEME,
        path: `/${file.path}`,
        query: `${which}&${this.generation}`,
      });
      const shown = file.binary ? '(binary file: not shown)' : (text ?? '');
      this.contents.set(uri.toString(), shown);
      this.changed.fire(uri);
      return uri;
    };
    return [side('now', file.current), side('restored', file.restored)];
  }

  private fileUri(path: string): vscode.Uri {
    const root = this.workspaceRoot();
    return root ? vscode.Uri.joinPath(vscode.Uri.file(root), path) : vscode.Uri.file(path);
  }
}
