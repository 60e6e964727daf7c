import { execFile } from 'node:child_process';

/**
 * Options that keep `git` from running anything the repository names: no external diff
 * programs or text conversion filters, no fsmonitor hook, no pager.
 */
const SAFE_GIT = ['-c', 'core.fsmonitor=false', '-c', 'core.quotepath=off', '--no-pager'];
const DIFF = ['--no-color', '--no-ext-diff', '--no-textconv'];

function git(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...SAFE_GIT, ...args],
      { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } },
      (err, stdout, stderr) => (err ? reject(new Error(stderr.trim() || err.message)) : resolve(stdout)),
    );
  });
}

/** The working tree's changes as text: staged diff, unstaged diff, untracked file names. */
export async function gitChanges(cwd: string): Promise<string> {
  try {
    await git(cwd, ['rev-parse', '--is-inside-work-tree']);
  } catch {
    throw new Error('@git-changes needs a git repository: the workspace folder is not one.');
  }
  const [staged, unstaged, untracked] = await Promise.all([
    git(cwd, ['diff', '--staged', ...DIFF]),
    git(cwd, ['diff', ...DIFF]),
    git(cwd, ['ls-files', '--others', '--exclude-standard']),
  ]);
  const sections: string[] = [];
  if (staged.trim()) sections.push(`Staged changes (git diff --staged):\n${staged.trimEnd()}`);
  if (unstaged.trim()) sections.push(`Unstaged changes (git diff):\n${unstaged.trimEnd()}`);
  if (untracked.trim()) sections.push(`Untracked files:\n${untracked.trimEnd()}`);
  return sections.length ? sections.join('\n\n') : 'No changes: the working tree matches HEAD.';
}
