// Paths as the user knows them.

/** A path as the user knows it: relative to the workspace when inside it. */
export function displayPath(path: string, workspaceRoot: string | null): string {
  if (workspaceRoot) {
    const root = workspaceRoot.replace(/[\\/]+$/, '');
    if (path.startsWith(root + '/') || path.startsWith(root + '\\')) return path.slice(root.length + 1);
  }
  return path;
}
