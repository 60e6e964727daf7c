import * as fs from 'node:fs';
import * as path from 'node:path';
import { CODE_RUNNING_ENTRIES, configuredHooksPaths, gitDirs } from './code-running-paths.js';

/**
 * bubblewrap arguments that keep a sandboxed command from planting code that runs later outside
 * the sandbox: git hooks and config, `core.hooksPath` targets, and editor/direnv files at each
 * writable root are bound read-only over themselves. Appended after the writable binds.
 *
 * A mount point must exist, and bubblewrap would create a missing one on the host (an empty
 * `.envrc` or `.vscode/` left in the user's repository), so entries that do not exist yet are
 * not mounted; the edit tools still ask before creating them, and the terminal tool finds any a
 * command created and moves it aside (security/planted-files-check.ts). The exception is inside
 * `.git` (and a configured hooks folder), where an empty `hooks` folder is what git itself creates.
 *
 * A `.git/hooks` (or `config`) that is a symlink: bubblewrap mounts over what it leads to, so the
 * link itself can still be removed and replaced by a folder of new hooks; that check catches
 * those hooks too (it records the link and reads whatever replaces it).
 */
export function codeRunningReadOnlyMounts(writableRoots: readonly string[], userHome: string): string[] {
  const roots = writableRoots.map(realOrUndefined).filter((r): r is string => r !== undefined);
  const inWritable = (p: string) => roots.some((r) => isInside(p, r));
  const args: string[] = [];
  const seen = new Set<string>();
  const readOnly = (target: string, create?: 'dir'): void => {
    let real = realOrUndefined(target);
    if (!real && create === 'dir' && inWritable(path.dirname(target))) {
      try {
        fs.mkdirSync(target, { mode: 0o755 });
        real = realOrUndefined(target);
      } catch {
        return;
      }
    }
    if (!real || !inWritable(real) || seen.has(real)) return;
    seen.add(real);
    args.push('--ro-bind', real, real);
  };

  for (const root of roots) {
    for (const gitDir of gitDirs(root)) {
      const real = realOrUndefined(gitDir);
      if (!real || !inWritable(real) || seen.has(`git:${real}`)) continue;
      seen.add(`git:${real}`);
      // `.git` bound over itself is a mount point: it cannot be renamed away and replaced by a
      // fresh repository whose config the command controls. Git still writes objects and refs.
      args.push('--bind', real, real);
      for (const repo of [real, ...submoduleGitDirs(real)]) {
        readOnly(path.join(repo, 'hooks'), 'dir');
        readOnly(path.join(repo, 'config'));
        readOnly(path.join(repo, 'config.worktree'));
      }
    }
    for (const hooks of configuredHooksPaths(root, userHome)) readOnly(hooks, 'dir');
    for (const entry of CODE_RUNNING_ENTRIES) readOnly(path.join(root, entry.name));
    for (const name of listNames(root)) {
      if (name.toLowerCase().endsWith('.code-workspace')) readOnly(path.join(root, name));
    }
  }
  return args;
}

/** Git directories of submodules (`.git/modules/a`, `.git/modules/a/modules/b`), a few levels deep. */
function submoduleGitDirs(gitDir: string, depth = 0): string[] {
  if (depth >= 4) return [];
  const modules = path.join(gitDir, 'modules');
  const out: string[] = [];
  for (const name of listNames(modules)) {
    const dir = path.join(modules, name);
    if (fs.existsSync(path.join(dir, 'HEAD'))) out.push(dir, ...submoduleGitDirs(dir, depth + 1));
    // Submodules with a path (`modules/libs/x`) nest one folder deeper without a HEAD of their own.
    else out.push(...submoduleGitDirs(dir, depth + 1));
  }
  return out;
}

function listNames(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function realOrUndefined(p: string): string | undefined {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return undefined;
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
