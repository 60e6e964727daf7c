import * as path from 'node:path';
import { readdir, rm, stat } from 'node:fs/promises';

/** Files of the history folder that are not journal lines: leftovers, writers, sizes. */

/**
 * Temp files of snapshots whose writer died mid-write (each as big as what it saved), and the
 * single-file index of earlier versions (`index.sqlite`, replaced by `index/`).
 */
export async function removeAbandonedSnapshots(dir: string): Promise<void> {
  for (const folder of [dir, path.join(dir, 'index')]) {
    for (const name of await readdir(folder).catch(() => [] as string[])) {
      const pid = /^\.[\w.-]+\.sqlite\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name)?.[1];
      if (pid && !writerAlive(`x-${pid}-x`)) await rm(path.join(folder, name), { force: true });
    }
  }
  await rm(path.join(dir, 'index.sqlite'), { force: true });
}

/** Whether the process that writes a segment (`<time>-<pid>-<random>.jsonl`) is still running. */
export function writerAlive(segment: string): boolean {
  const pid = Number(segment.split('-')[1]);
  if (!Number.isInteger(pid) || pid <= 0) return true;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    total += await stat(path.join(dir, name)).then(
      (st) => st.size,
      () => 0,
    );
  }
  return total;
}
