import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';

/** Cairn's home folder: `$CAIRN_HOME`, else `~/.cairn`. Everything Cairn persists lives here. */
export function cairnHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.CAIRN_HOME?.trim();
  return path.resolve(fromEnv ? fromEnv : path.join(os.homedir(), '.cairn'));
}

/**
 * Stable folder name for a project (workspace path) inside Cairn's home, e.g.
 * `myapp-3f9a1c2b`. Per-project state (memory, permission rules, usage) lives under
 * `<home>/projects/<key>/`, never in the repo: a cloned repo must not pre-set anything.
 */
export function projectKey(workspacePath: string): string {
  const resolved = path.resolve(workspacePath);
  const hash = createHash('sha256').update(resolved).digest('hex').slice(0, 12);
  const base =
    path
      .basename(resolved)
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .slice(0, 40) || 'root';
  return `${base}-${hash}`;
}

export function projectDir(home: string, workspacePath: string): string {
  return path.join(home, 'projects', projectKey(workspacePath));
}
