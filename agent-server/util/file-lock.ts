import * as os from 'node:os';
import * as path from 'node:path';
import fs from 'node:fs';
import { readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { lock } from 'proper-lockfile';

/**
 * The lock around one file's read-modify-write, across processes (memory, checkpoints). proper-lockfile
 * only notices a dead holder when the lock goes stale (10 s without a refresh), so each
 * holder also records its pid in the lock: a holder that no longer runs on this machine is
 * seen at once and its lock removed.
 */
const OWNER_FILE = 'owner.json';
const STALE_MS = 10_000;

interface LockOwner {
  pid: number;
  host: string;
}

export interface FileLock {
  release: () => Promise<void>;
  /** The pid of a dead holder whose lock was removed before taking this one. */
  clearedDeadHolder?: number;
}

const lockDirOf = (file: string) => `${file}.lock`;

/** proper-lockfile removes its lock folder with rmdir; ours holds the owner file too. */
const lockFs = {
  ...fs,
  rmdir: (dir: string, callback: (err: NodeJS.ErrnoException | null) => void) =>
    fs.rm(dir, { recursive: true }, callback),
  rmdirSync: (dir: string) => fs.rmSync(dir, { recursive: true }),
};

async function readOwner(lockDir: string): Promise<LockOwner | undefined> {
  try {
    const owner = JSON.parse(await readFile(path.join(lockDir, OWNER_FILE), 'utf8')) as Partial<LockOwner>;
    return typeof owner.pid === 'number' && typeof owner.host === 'string'
      ? { pid: owner.pid, host: owner.host }
      : undefined;
  } catch {
    return undefined; // no lock, or one whose holder has not written its pid yet
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the lock when its recorded holder is a process of this machine that has ended. */
async function clearDeadHolder(lockDir: string): Promise<number | undefined> {
  const owner = await readOwner(lockDir);
  if (!owner || owner.host !== os.hostname() || isRunning(owner.pid)) return undefined;
  // Re-read right before removing, so a lock another process just took over is left alone.
  if ((await readOwner(lockDir))?.pid !== owner.pid) return undefined;
  await rm(lockDir, { recursive: true, force: true });
  console.error(
    `cairn: removed the lock on ${lockDir} left by process ${owner.pid}, which is no longer running`,
  );
  return owner.pid;
}

export async function lockFile(file: string): Promise<FileLock> {
  const cleared = await clearDeadHolder(lockDirOf(file));
  const release = await lock(file, {
    realpath: false,
    fs: lockFs,
    stale: STALE_MS,
    retries: { retries: 300, factor: 1.3, minTimeout: 5, maxTimeout: 100, randomize: true },
    onCompromised: (err) => console.error(`cairn: lost the lock on ${file}: ${err.message}`),
  });
  const owner: LockOwner = { pid: process.pid, host: os.hostname() };
  try {
    // proper-lockfile proves the lock is still its own by the folder's mtime, which adding a file
    // changes: put it back, or its first refresh (5 s on) takes the lock as lost to someone else.
    const locked = await stat(lockDirOf(file));
    await writeFile(path.join(lockDirOf(file), OWNER_FILE), JSON.stringify(owner));
    await utimes(lockDirOf(file), locked.atime, locked.mtime);
  } catch (err) {
    await release();
    throw err;
  }
  return { release, ...(cleared === undefined ? {} : { clearedDeadHolder: cleared }) };
}

/**
 * Removes temp files that `writeFileAtomic` left beside `file` when its writer died mid-write
 * (`.<name>.<pid>.<random>.tmp` whose pid no longer runs).
 */
export async function removeDeadWritersTemps(file: string): Promise<void> {
  const dir = path.dirname(file);
  const prefix = `.${path.basename(file)}.`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pid = Number(name.slice(prefix.length).split('.')[0]);
    if (Number.isInteger(pid) && pid > 0 && !isRunning(pid)) await rm(path.join(dir, name), { force: true });
  }
}
