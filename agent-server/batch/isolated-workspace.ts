import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A throwaway copy of a folder for one task: a git worktree of a repository, else a plain copy. */
export interface IsolatedWorkspace {
  dir: string;
  kind: 'worktree' | 'copy';
  /** Files the task changed (git status of the worktree); undefined for a plain copy. */
  changedFiles(): Promise<string[] | undefined>;
  remove(): Promise<void>;
}

/** Git without hooks, filters or fsmonitor from the repository: its config is untrusted. */
const SAFE_GIT = ['-c', 'core.hooksPath=/dev/null', '-c', 'core.fsmonitor=false'];

/**
 * `git worktree add` reads every other worktree's record while it makes its own, and fails on
 * one half-written by a concurrent add (tasks of one repository start together): tried again
 * after a short, random pause rather than made to wait in line, which would serialise every start.
 */
async function addWorktree(top: string, dir: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await run('git', [...SAFE_GIT, '-C', top, 'worktree', 'add', '--detach', '--quiet', dir, 'HEAD']);
      return;
    } catch (err) {
      const racing = /failed to read .*worktrees|could not lock|File exists/i.test(
        String((err as Error).message),
      );
      if (!racing || attempt >= 5) throw err;
      await fs.rm(dir, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 30 + Math.random() * 120 * attempt));
    }
  }
}

/** Paths git status reports in a work tree (changed, added, deleted, untracked). */
async function gitChangedFiles(dir: string): Promise<string[]> {
  const { stdout } = await run('git', [
    ...SAFE_GIT,
    '-C',
    dir,
    'status',
    '--porcelain',
    '-z',
    '--untracked-files=all',
  ]);
  return stdout
    .split('\0')
    .filter(Boolean)
    .map((entry) => entry.slice(3));
}

async function gitTopLevel(dir: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', [...SAFE_GIT, '-C', dir, 'rev-parse', '--show-toplevel']);
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Makes the copy. A git repository gets a detached worktree at HEAD (committed state only);
 * anything else is copied, symbolic links kept as links (never followed out of the folder).
 */
export async function isolateWorkspace(source: string, label: string): Promise<IsolatedWorkspace> {
  const parent = await fs.mkdtemp(path.join(os.tmpdir(), `cairn-batch-${label}-`));
  // Git names a worktree's record after the folder: unique names keep concurrent tasks of one
  // repository from racing for `.git/worktrees/work`.
  const dir = path.join(parent, path.basename(parent));
  const top = await gitTopLevel(source);
  if (top) {
    await addWorktree(top, dir);
    const sub = path.relative(top, source);
    return {
      dir: path.join(dir, sub),
      kind: 'worktree',
      changedFiles: () => gitChangedFiles(dir),
      async remove() {
        // `worktree remove` deletes the folder and its record; prune only when it could not.
        const removed = await run('git', [...SAFE_GIT, '-C', top, 'worktree', 'remove', '--force', dir]).then(
          () => true,
          () => false,
        );
        await fs.rm(parent, { recursive: true, force: true });
        if (!removed) await run('git', [...SAFE_GIT, '-C', top, 'worktree', 'prune']).catch(() => undefined);
      },
    };
  }
  await fs.cp(source, dir, { recursive: true, verbatimSymlinks: true });
  return {
    dir,
    kind: 'copy',
    changedFiles: () => Promise.resolve(undefined),
    remove: () => fs.rm(parent, { recursive: true, force: true }),
  };
}

/**
 * A fresh clone of `repo` (a path or URL) checked out detached at `ref` (default: its HEAD), for
 * a task that names a repository instead of a folder. Hooks never run: a clone has none, and
 * the checkout runs with them off.
 */
export async function cloneWorkspace(
  repo: string,
  ref: string | undefined,
  label: string,
): Promise<IsolatedWorkspace> {
  const parent = await fs.mkdtemp(path.join(os.tmpdir(), `cairn-batch-${label}-`));
  const dir = path.join(parent, 'work');
  try {
    await run('git', [...SAFE_GIT, 'clone', '--quiet', '--no-checkout', '--', repo, dir]);
    await run('git', [...SAFE_GIT, '-C', dir, 'checkout', '--quiet', '--detach', ref ?? 'HEAD', '--']);
  } catch (err) {
    await fs.rm(parent, { recursive: true, force: true });
    throw err;
  }
  return {
    dir,
    kind: 'worktree',
    changedFiles: () => gitChangedFiles(dir),
    remove: () => fs.rm(parent, { recursive: true, force: true }),
  };
}
