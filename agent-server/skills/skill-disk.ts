import { realpathSync } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import type { Dirent } from 'node:fs';
import {
  AnchoredFiles,
  OpenedOutsideError,
  PathUnstableError,
  procFdWorks,
} from '../workspace/anchored-files.js';
import { LinkLeadsOutsideError, LinkLoopError } from '../workspace/link-resolve.js';

/** A skill file as read from disk: its bytes, or why there are none. */
export type SkillFileRead =
  | { kind: 'file'; bytes: Buffer; size: number }
  | { kind: 'missing' }
  | { kind: 'not-file' }
  | { kind: 'too-large'; size: number }
  | { kind: 'refused'; reason: string };

/**
 * Files in a folder opened without following links out of it: for the repository's skill folders
 * (`.cairn/skills`, `.agents/skills`, `.claude/skills`), anchored at the workspace, so a SKILL.md or
 * a linked file that is (or is swapped for) a symlink to `~/.ssh/id_rsa` is never read.
 */
export function anchoredAt(folder: string): AnchoredFiles {
  let real = folder;
  try {
    real = realpathSync.native(folder);
  } catch {
    /* missing: every read finds nothing */
  }
  return new AnchoredFiles([folder], [real]);
}

/**
 * Reads a skill's file, up to `maxBytes`. With `within`, it is opened anchored there (repo skills);
 * without, by name (Cairn's own and bundled skills, which the repository cannot touch).
 */
export async function readSkillFile(
  file: string,
  maxBytes: number,
  within: AnchoredFiles | undefined,
): Promise<SkillFileRead> {
  try {
    if (within) {
      const read = await within.withOpenFile(file, async (handle, info) =>
        readOpened(handle, info, maxBytes),
      );
      return read ?? { kind: 'missing' };
    }
    const handle = await open(file, 'r');
    try {
      return await readOpened(handle, await handle.stat(), maxBytes);
    } finally {
      await handle.close();
    }
  } catch (err) {
    if (
      err instanceof LinkLeadsOutsideError ||
      err instanceof OpenedOutsideError ||
      err instanceof LinkLoopError ||
      err instanceof PathUnstableError
    )
      return { kind: 'refused', reason: err.message };
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
    if (code === 'EISDIR') return { kind: 'not-file' };
    throw err;
  }
}

/**
 * A folder's entries. With `within` (repo skills) the folder is opened anchored and listed through
 * its open handle, so a folder swapped for a link to the home mid-way never lists the home's
 * names; without /proc it is listed by name right after that check. Throws like readdir.
 */
export async function listSkillFolder(dir: string, within: AnchoredFiles | undefined): Promise<Dirent[]> {
  if (!within) return readdir(dir, { withFileTypes: true });
  const listed = await within.withOpenFile(dir, async (handle, info) => {
    if (!info.isDirectory()) throw Object.assign(new Error(`${dir} is not a folder`), { code: 'ENOTDIR' });
    const pinned = `/proc/self/fd/${handle.fd}`;
    return readdir(procFdWorks() ? pinned : dir, { withFileTypes: true });
  });
  if (!listed) throw Object.assign(new Error(`${dir} does not exist`), { code: 'ENOENT' });
  return listed;
}

async function readOpened(
  handle: import('node:fs/promises').FileHandle,
  info: import('node:fs').Stats,
  maxBytes: number,
): Promise<SkillFileRead> {
  if (!info.isFile()) return { kind: 'not-file' };
  if (info.size > maxBytes) return { kind: 'too-large', size: info.size };
  const bytes = Buffer.alloc(info.size);
  const { bytesRead } = await handle.read(bytes, 0, bytes.length, 0);
  return { kind: 'file', bytes: bytes.subarray(0, bytesRead), size: info.size };
}

/** The text of a skill file, `undefined` when missing; anything else unreadable is an error. */
export async function readSkillText(
  file: string,
  within: AnchoredFiles | undefined,
  maxBytes = 1024 * 1024,
): Promise<string | undefined> {
  const read = await readSkillFile(file, maxBytes, within);
  switch (read.kind) {
    case 'file':
      return read.bytes.toString('utf8');
    case 'missing':
      return undefined;
    case 'not-file':
      throw new Error(`${file} is not a regular file.`);
    case 'too-large':
      throw new Error(`${file} is ${read.size} bytes, too large (limit ${maxBytes}).`);
    case 'refused':
      throw new Error(`${file} was not read: ${read.reason}`);
  }
}
