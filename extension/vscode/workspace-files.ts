import * as vscode from 'vscode';
import { rankPaths } from '../file-match.js';
import { errorMessage } from '../../shared/error-message.js';

/** The text of an open document at `path` (unsaved edits included), if one is open. */
export function openDocumentText(path: string): string | undefined {
  return vscode.workspace.textDocuments
    .find((d) => d.uri.scheme === 'file' && d.uri.fsPath === path)
    ?.getText();
}

/** Every workspace folder on disk. */
export function workspaceFolders(): string[] {
  return (vscode.workspace.workspaceFolders ?? [])
    .filter((f) => f.uri.scheme === 'file')
    .map((f) => f.uri.fsPath);
}

/** Current text of a file: the open document (unsaved edits included), else disk. */
export async function readCurrentText(path: string): Promise<string> {
  const open = openDocumentText(path);
  if (open !== undefined) return open;
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(path)));
  } catch (err) {
    throw new Error(`Cannot read ${path}: ${errorMessage(err)}`);
  }
}

const MAX_SCAN = 20_000;

/** Workspace files for the `@` picker (`files.exclude` applies; dependency folders are skipped). */
export async function mentionFiles(
  query: string,
  limit: number,
): Promise<{ path: string; relPath: string }[]> {
  const uris = await vscode.workspace.findFiles('**/*', '{**/node_modules/**,**/.git/**}', MAX_SCAN);
  const byRel = new Map(uris.map((u) => [vscode.workspace.asRelativePath(u, false), u.fsPath]));
  return rankPaths([...byRel.keys()], query, limit).map((relPath) => ({
    relPath,
    path: byRel.get(relPath)!,
  }));
}

/** Opens a file at a 1-based line (tool-call locations, mentions). */
export async function openLocation(path: string, line: number | null): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path));
  const at = line && line > 0 ? new vscode.Position(Math.min(line - 1, doc.lineCount - 1), 0) : undefined;
  await vscode.window.showTextDocument(doc, {
    preview: true,
    selection: at ? new vscode.Range(at, at) : undefined,
  });
}
