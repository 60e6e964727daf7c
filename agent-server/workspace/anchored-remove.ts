import * as fs from 'node:fs';
import * as path from 'node:path';
import { lstat, open, readdir, rm, rmdir, unlink, type FileHandle } from 'node:fs/promises';
import { procFdWorks, type AnchoredFiles } from './anchored-files.js';

const DIR_NOFOLLOW = fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | fs.constants.O_NOFOLLOW;
/** Deeper trees are refused rather than walked (a skill or a linked file is never this deep). */
const MAX_DEPTH = 32;
/** An entry that keeps turning from a folder into something else is refused after this many tries. */
const MAX_RETRIES = 8;

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Removes `absolute` (a file, a link, or a folder and everything in it) without ever following a
 * symlink: the folder holding it is opened anchored (AnchoredFiles.withParentFolder), a link is
 * removed itself, and a folder is emptied through its own opened handle, so a folder swapped for
 * a link to the home while this runs cannot redirect a single unlink. Nothing happens when it is
 * already gone. Throws when a link on the way leads out of the roots.
 */
export async function removeAnchored(files: AnchoredFiles, absolute: string): Promise<void> {
  if (procFdWorks()) {
    await files.withParentFolder(absolute, (folder, name) => removeEntry(folder, name, 0));
    return;
  }
  // Without /proc nothing can be removed relative to an open folder: accept only a parent with no
  // symlink at all, checked right before (rm itself never follows links below it).
  if (!files.isLinkFree(path.dirname(absolute)))
    throw new Error(`${absolute} is reached through a symlink; it was not removed.`);
  await rm(absolute, { recursive: true, force: true });
}

/** Removes `name` in the opened folder `folder` (a `/proc/self/fd/N` path). */
async function removeEntry(folder: string, name: string, depth: number, retries = 0): Promise<void> {
  const entry = `${folder}/${name}`;
  const info = await lstat(entry).catch((err: unknown) => {
    if (code(err) === 'ENOENT') return undefined;
    throw err;
  });
  if (!info) return;
  if (!info.isDirectory()) {
    // unlink acts on the last component itself: a symlink is removed, never its target.
    await unlink(entry).catch((err: unknown) => {
      if (code(err) !== 'ENOENT') throw err;
    });
    return;
  }
  if (depth > MAX_DEPTH) throw new Error(`${name}: folders nested too deeply to remove`);
  let dir: FileHandle;
  try {
    dir = await open(entry, DIR_NOFOLLOW);
  } catch (err) {
    // Swapped for a link or a file since lstat: look again (and remove whatever is there now).
    if ((code(err) === 'ELOOP' || code(err) === 'ENOTDIR') && retries < MAX_RETRIES)
      return removeEntry(folder, name, depth, retries + 1);
    if (code(err) === 'ENOENT') return;
    throw err;
  }
  try {
    const inside = `/proc/self/fd/${dir.fd}`;
    for (const child of await readdir(inside)) await removeEntry(inside, child, depth + 1);
  } finally {
    await dir.close();
  }
  // rmdir does not follow a final symlink either (ENOTDIR if one was put there meanwhile).
  await rmdir(entry).catch((err: unknown) => {
    if (code(err) !== 'ENOENT') throw err;
  });
}
