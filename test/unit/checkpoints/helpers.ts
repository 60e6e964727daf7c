import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile, readlink, lstat } from 'node:fs/promises';
import * as path from 'node:path';
import { CheckpointStore, type CheckpointSettings } from '../../../agent-server/checkpoints/index.js';

export const SETTINGS: CheckpointSettings = {
  maxFileBytes: 1024 * 1024,
  keepDays: 14,
  keepBytes: 1024 * 1024 * 1024,
  exclude: [],
};

export function openStore(home: string, ws: string, settings: Partial<CheckpointSettings> = {}) {
  return CheckpointStore.open(home, ws, { ...SETTINGS, ...settings });
}

/** A user repository with a commit, a staged change, a stash-free index and a local config. */
export function userGit(ws: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd: ws,
    env: {
      PATH: process.env.PATH,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'u',
      GIT_AUTHOR_EMAIL: 'u@example.com',
      GIT_COMMITTER_NAME: 'u',
      GIT_COMMITTER_EMAIL: 'u@example.com',
    },
    encoding: 'utf8',
  });
}

/** Every file under `dir` (links as their target), hashed: equal fingerprints mean byte-identical trees. */
export async function fingerprint(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (rel: string): Promise<void> => {
    for (const e of await readdir(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      const abs = path.join(dir, child);
      if (e.isDirectory()) {
        out.set(`${child}/`, 'dir');
        await walk(child);
      } else if (e.isSymbolicLink()) out.set(child, `link:${await readlink(abs)}`);
      else {
        const mode = ((await lstat(abs)).mode & 0o777).toString(8);
        out.set(
          child,
          `${mode}:${createHash('sha256')
            .update(await readFile(abs))
            .digest('hex')}`,
        );
      }
    }
  };
  await walk('');
  return out;
}

/** The workspace's files (not `.git`) as relative path → content. */
export async function workspaceFiles(ws: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const [rel, value] of await fingerprint(ws)) {
    if (rel === '.git/' || rel.startsWith('.git/') || rel.endsWith('/')) continue;
    files[rel] = value.startsWith('link:') ? value : await readFile(path.join(ws, rel), 'utf8');
  }
  return files;
}
