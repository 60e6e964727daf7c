import * as fs from 'node:fs';
import * as path from 'node:path';
import { lstat, mkdir, open, readlink, realpath, rename, rm, rmdir, symlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { AnchoredFiles, procFdWorks } from '../workspace/anchored-files.js';
import { removeAnchored } from '../workspace/anchored-remove.js';

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** git's modes for what a tree entry is. */
export type EntryMode = '100644' | '100755' | '120000';

/**
 * Puts files of a checkpoint back into the workspace with the file tools' safe path handling: each
 * folder is opened anchored (AnchoredFiles), never through a symlink that leads out; a file is
 * written to a temp file in its folder and renamed over the entry itself, so after a crash each file
 * is either as it was or as restored, and a symlink in the file's place is replaced, never written
 * through. Removals unlink the entry itself (a link, not its target).
 */
export class RestoreWriter {
  private constructor(
    readonly root: string,
    private readonly files: AnchoredFiles,
  ) {}

  static async create(root: string): Promise<RestoreWriter> {
    return new RestoreWriter(root, new AnchoredFiles([root], [await realpath(root)]));
  }

  private abs(rel: string): string {
    const abs = path.resolve(this.root, rel);
    const back = path.relative(this.root, abs);
    if (back === '' || back.startsWith('..') || path.isAbsolute(back))
      throw new Error(`${rel} is not a path inside the workspace`);
    return abs;
  }

  /**
   * The entry at `rel` as git would record it (mode and content), read without following a final
   * symlink; `undefined` when absent or, as git sees it, beyond a symlinked folder; `'other'` for a
   * folder or anything else git does not record as a file.
   */
  async readEntry(rel: string): Promise<{ mode: EntryMode; data: Buffer } | 'other' | undefined> {
    if (!(await this.realFolders(rel))) return undefined;
    return this.inParent(rel, async (folder, name) => {
      const entry = `${folder}/${name}`;
      const info = await lstat(entry).catch(() => undefined);
      if (!info) return undefined;
      if (info.isSymbolicLink()) return { mode: '120000' as const, data: Buffer.from(await readlink(entry)) };
      if (!info.isFile()) return 'other' as const;
      const handle = await open(entry, O_RDONLY | O_NOFOLLOW);
      try {
        const st = await handle.stat();
        if (!st.isFile()) return 'other' as const;
        return {
          mode: st.mode & 0o100 ? ('100755' as const) : ('100644' as const),
          data: await handle.readFile(),
        };
      } finally {
        await handle.close();
      }
    });
  }

  /** Whether every folder above `rel` is a folder, not a link or file, as git would see it. */
  private async realFolders(rel: string): Promise<boolean> {
    for (let dir = path.dirname(rel); dir !== '.' && dir !== '/'; dir = path.dirname(dir))
      if (!(await lstat(path.join(this.root, dir)).catch(() => undefined))?.isDirectory()) return false;
    return true;
  }

  /** Removes the entry (file, link, or folder with its contents); nothing when already gone. */
  async remove(rel: string): Promise<void> {
    await removeAnchored(this.files, this.abs(rel));
  }

  /** Writes a regular file atomically with the recorded mode, replacing whatever entry is there. */
  async writeFile(rel: string, data: Buffer, mode: EntryMode): Promise<void> {
    const perm = mode === '100755' ? 0o755 : 0o644;
    await this.replaceEntry(rel, async (tmp) => {
      const handle = await open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, perm);
      try {
        await handle.writeFile(data);
        await handle.chmod(perm); // the umask must not change the recorded mode
        await handle.sync();
      } finally {
        await handle.close();
      }
    });
  }

  /** Recreates a symlink as recorded (its target is not followed or checked: it is only text). */
  async writeLink(rel: string, target: string): Promise<void> {
    await this.replaceEntry(rel, (tmp) => symlink(target, tmp));
  }

  /** Removes `rel`'s folder and its parents up to the root while they are empty. */
  async removeEmptyFolders(rel: string): Promise<void> {
    for (let dir = path.dirname(rel); dir !== '.' && dir !== '/'; dir = path.dirname(dir)) {
      const gone = await this.inParent(dir, async (folder, name) => {
        try {
          await rmdir(`${folder}/${name}`); // never follows a final symlink; fails when not empty
          return true;
        } catch {
          return false;
        }
      });
      if (!gone) return;
    }
  }

  /** Creates the new entry under a temp name in the (anchored) folder, then renames it over `rel`. */
  private async replaceEntry(rel: string, make: (tmp: string) => Promise<void>): Promise<void> {
    const abs = this.abs(rel);
    // Folders that are there already as real folders need no anchored walk of their own (the
    // anchored open below still checks every step); anything else is made a folder first.
    if (!(await this.realFolders(rel))) await this.ensureFolder(path.dirname(abs));
    const done = await this.inParent(rel, async (folder, name) => {
      const entry = `${folder}/${name}`;
      const existing = await lstat(entry).catch(() => undefined);
      // rename cannot replace a folder with a file: a folder here was created since the checkpoint.
      if (existing?.isDirectory()) await removeAnchored(this.files, abs);
      const tmp = `${folder}/.${name.slice(0, 200)}.${process.pid}.${randomBytes(4).toString('hex')}.cairn-restore`;
      await make(tmp);
      try {
        await rename(tmp, entry);
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
      return true;
    });
    if (!done) throw new Error(`Could not create the folder for ${rel}`);
  }

  /** Runs `use` with the entry's folder opened anchored; `undefined` when the folder is missing. */
  private async inParent<T>(
    rel: string,
    use: (folder: string, name: string) => Promise<T>,
  ): Promise<T | undefined> {
    const abs = this.abs(rel);
    if (procFdWorks()) return this.files.withParentFolder(abs, use);
    // Without /proc: accept only a folder reached through no symlink at all, checked right before.
    const folder = path.dirname(abs);
    if (!this.files.isLinkFree(folder))
      throw new Error(`${rel} is reached through a symlink; it was not restored.`);
    const info = await lstat(folder).catch(() => undefined);
    return info?.isDirectory() ? use(folder, path.basename(abs)) : undefined;
  }

  /** Creates `absDir` and the folders above it, each inside an anchored parent. */
  private async ensureFolder(absDir: string): Promise<void> {
    const rel = path.relative(this.root, absDir);
    if (rel === '') return;
    const made = await this.inParent(rel, async (folder, name) => {
      const entry = `${folder}/${name}`;
      const info = await lstat(entry).catch(() => undefined);
      if (info?.isDirectory()) return true;
      // A file or link where the checkpoint has a folder: it is not part of the restored state.
      if (info) await rm(entry, { force: true });
      await mkdir(entry).catch((err: unknown) => {
        if (code(err) !== 'EEXIST') throw err;
      });
      return true;
    });
    if (made) return;
    await this.ensureFolder(path.dirname(absDir));
    await this.ensureFolder(absDir);
  }
}
