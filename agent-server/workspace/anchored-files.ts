import * as fs from 'node:fs';
import * as path from 'node:path';
import { lstat, mkdir, open, readlink, rename, rm, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { insideAny, resolveInsideRoots } from './link-resolve.js';

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK } = fs.constants;
/** Opens the final component as is: a symlink there fails (ELOOP) instead of being followed. */
const READ_NOFOLLOW = O_RDONLY | O_NOFOLLOW | (O_NONBLOCK ?? 0);
const DIR_NOFOLLOW = O_RDONLY | O_DIRECTORY | O_NOFOLLOW;
/** A path that keeps changing under us is refused after this many fresh resolutions. */
const MAX_ATTEMPTS = 8;

/** The path changed between resolving and opening (a component became a symlink): resolve again. */
class PathChangedError extends Error {}

/** The path kept being swapped while it was opened; nothing was read or written. */
export class PathUnstableError extends Error {
  override name = 'PathUnstableError';
  constructor(readonly absolute: string) {
    super(
      `${absolute} kept changing while it was being opened (a folder or symlink on the path is being ` +
        'swapped); it was not used. Try again once nothing is modifying the workspace.',
    );
  }
}

/** An opened folder was found outside every root after opening it (moved out from under us). */
export class OpenedOutsideError extends Error {
  override name = 'OpenedOutsideError';
}

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** `/proc/self/fd/N/name`: the magic link pins the exact folder that was opened and checked. */
function under(dir: FileHandle, name?: string): string {
  return name === undefined ? `/proc/self/fd/${dir.fd}` : `/proc/self/fd/${dir.fd}/${name}`;
}

let procFdUsable: boolean | undefined;
/** Whether `/proc/self/fd/N/<name>` reaches into an open folder (Linux with /proc mounted). */
export function procFdWorks(): boolean {
  if (procFdUsable === undefined) {
    try {
      const fd = fs.openSync('/', DIR_NOFOLLOW);
      try {
        procFdUsable =
          fs.readlinkSync(`/proc/self/fd/${fd}`) === '/' &&
          fs.statSync(`/proc/self/fd/${fd}/.`).ino === fs.statSync('/').ino;
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      procFdUsable = false;
    }
  }
  return procFdUsable;
}

export type FileInfo =
  | { kind: 'missing' }
  | { kind: 'directory' }
  | { kind: 'other' }
  | { kind: 'file'; size: number; /** The first bytes, up to the limit asked for. */ head: Buffer };

/**
 * Reads and writes inside a set of roots, opened so nothing can change between the check and the
 * use. On Linux every folder is opened from the root one component at a time with O_NOFOLLOW and
 * O_DIRECTORY, each through `/proc/self/fd/<parent>/<name>` so the lookup starts at the folder
 * already opened; the final component is opened with O_NOFOLLOW; writes go to a temp file in that
 * same folder and are renamed within it. Symlinks that stay inside are followed by resolving them
 * first (resolveInsideRoots) and then opening the resolved path the same way; a component that turns
 * into a symlink meanwhile fails the open and the whole path is resolved again.
 *
 * Without /proc (macOS, BSD) there is no way to open relative to a folder from Node: the fallback
 * resolves and checks immediately before opening, then compares device and inode after. That leaves
 * a window a determined racer can hit; it is the best Node offers there.
 */
export class AnchoredFiles {
  /**
   * @param roots the workspace roots as given; @param realRoots the same, symlinks resolved
   * (PathPolicy's pair). @param useProcFd false only where /proc is missing (see procFdWorks).
   */
  constructor(
    private readonly roots: readonly string[],
    private readonly realRoots: readonly string[],
    private readonly useProcFd = procFdWorks(),
  ) {}

  /**
   * Opens `absolute` for reading and hands the open file (never a symlink) to `use`.
   * `undefined` when it does not exist. Throws PathOutsideWorkspaceError-like errors from resolving.
   */
  async withOpenFile<T>(
    absolute: string,
    use: (handle: FileHandle, info: fs.Stats) => Promise<T>,
  ): Promise<T | undefined> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      let handle: FileHandle | undefined;
      try {
        handle = this.useProcFd ? await this.openAnchored(absolute) : await this.openChecked(absolute);
        if (!handle) return undefined;
        return await use(handle, await handle.stat());
      } catch (err) {
        if (err instanceof PathChangedError) continue;
        throw err;
      } finally {
        await handle?.close();
      }
    }
    throw new PathUnstableError(absolute);
  }

  /** The file's text, `undefined` when missing. A folder or device is an error, not text. */
  async readText(absolute: string): Promise<string | undefined> {
    return this.withOpenFile(absolute, async (handle, info) => {
      if (info.isDirectory()) throw Object.assign(new Error(`${absolute} is a folder`), { code: 'EISDIR' });
      if (!info.isFile()) throw new Error(`${absolute} is not a regular file`);
      return handle.readFile('utf8');
    });
  }

  /** What is at `absolute`, with up to `headBytes` of a file's content. */
  async inspect(absolute: string, headBytes: number): Promise<FileInfo> {
    const info = await this.withOpenFile(absolute, async (handle, st): Promise<FileInfo> => {
      if (st.isDirectory()) return { kind: 'directory' };
      if (!st.isFile()) return { kind: 'other' };
      const head = Buffer.alloc(Math.min(headBytes, st.size));
      const { bytesRead } = await handle.read(head, 0, head.length, 0);
      return { kind: 'file', size: st.size, head: head.subarray(0, bytesRead) };
    });
    return info ?? { kind: 'missing' };
  }

  /**
   * Whether `absolute` names itself: inside a root, and no component from the root down is a
   * symlink. Only such paths may be handed to someone who opens them by name (the editor).
   */
  isLinkFree(absolute: string): boolean {
    let real: string;
    try {
      real = resolveInsideRoots(this.realRoots, absolute);
    } catch {
      return false;
    }
    // `absolute` may spell a root differently (a symlinked home): compare what lies below the root.
    return this.roots.some((given, i) => {
      const realRoot = this.realRoots[i]!;
      for (const spelling of [given, realRoot]) {
        const rel = path.relative(spelling, absolute);
        if (!rel.startsWith('..') && !path.isAbsolute(rel) && real === path.join(realRoot, rel)) return true;
      }
      return false;
    });
  }

  /**
   * Writes the whole file atomically (temp file in the same opened folder, renamed over), creating
   * folders as needed and keeping an existing file's mode. A symlink as the final component is
   * written through only when it leads inside (its target is then replaced).
   */
  async writeFile(absolute: string, data: string | Uint8Array): Promise<void> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      try {
        if (this.useProcFd) await this.writeAnchored(absolute, data);
        else await this.writeChecked(absolute, data);
        return;
      } catch (err) {
        if (err instanceof PathChangedError) continue;
        throw err;
      }
    }
    throw new PathUnstableError(absolute);
  }

  /**
   * Opens the folder holding `absolute` (links on the way resolved and checked, the folder opened
   * without following any) and hands `use` its pinned path (`/proc/self/fd/N`) and the final name,
   * which is never resolved: operations on `${folder}/${name}` act on the entry itself.
   * `undefined` when the folder does not exist. Linux only (see procFdWorks).
   */
  async withParentFolder<T>(
    absolute: string,
    use: (folder: string, name: string) => Promise<T>,
  ): Promise<T | undefined> {
    if (!this.useProcFd) throw new Error('Opening relative to a folder needs /proc (Linux).');
    const name = path.basename(absolute);
    if (!name || name === '.' || name === '..') throw new Error(`${absolute} does not name an entry`);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      try {
        const { root, parts } = this.locate(path.dirname(absolute));
        const dir = await this.openFolder(root, parts, false);
        if (!dir) return undefined;
        try {
          return await use(under(dir), name);
        } finally {
          await dir.close();
        }
      } catch (err) {
        if (err instanceof PathChangedError) continue;
        throw err;
      }
    }
    throw new PathUnstableError(absolute);
  }

  // ── Linux: walk from the root through /proc/self/fd ────────────────────────────────

  /** The real path split into the root it is in and the components below it. */
  private locate(absolute: string): { root: string; parts: string[]; real: string } {
    const real = resolveInsideRoots(this.realRoots, absolute);
    const root = this.realRoots.filter((r) => isPrefix(r, real)).sort((a, b) => b.length - a.length)[0];
    if (root === undefined)
      throw new OpenedOutsideError(`${absolute} resolves to ${real}, outside the workspace`);
    const rel = path.relative(root, real);
    return { root, parts: rel === '' ? [] : rel.split(path.sep), real };
  }

  /** Opens the folder `root/parts…`, never following a link; `undefined` when a part is missing. */
  private async openFolder(
    root: string,
    parts: readonly string[],
    create: boolean,
  ): Promise<FileHandle | undefined> {
    if (create) await mkdir(root, { recursive: true });
    let dir = await open(root, DIR_NOFOLLOW).catch((err: unknown) => {
      if (code(err) === 'ENOENT' && !create) return undefined;
      throw err;
    });
    if (!dir) return undefined;
    try {
      for (const part of parts) {
        let next: FileHandle | undefined;
        for (let tries = 0; !next; tries++) {
          try {
            next = await open(under(dir, part), DIR_NOFOLLOW);
          } catch (err) {
            if (code(err) === 'ENOENT' && create && tries < 2) {
              await mkdir(under(dir, part)).catch((e: unknown) => {
                if (code(e) !== 'EEXIST') throw e;
              });
              continue;
            }
            if (code(err) === 'ENOENT') {
              await dir.close();
              return undefined;
            }
            if (code(err) === 'ENOTDIR' || code(err) === 'ELOOP') {
              // A symlink here now (resolve again), or a plain file where a folder is needed.
              const isLink = await lstat(under(dir, part)).then(
                (s) => s.isSymbolicLink(),
                () => true,
              );
              if (isLink) throw new PathChangedError();
              if (!create) {
                await dir.close();
                return undefined;
              }
            }
            throw err;
          }
        }
        await dir.close();
        dir = next;
      }
      // A folder moved out of the workspace after we opened it still reads as its new place here.
      const where = await readlink(under(dir));
      if (!insideAny(where, this.realRoots))
        throw new OpenedOutsideError(`${where} is outside the workspace`);
      return dir;
    } catch (err) {
      await dir.close().catch(() => undefined);
      throw err;
    }
  }

  private async openAnchored(absolute: string): Promise<FileHandle | undefined> {
    const { root, parts } = this.locate(absolute);
    const name = parts.pop();
    if (name === undefined) return open(root, DIR_NOFOLLOW);
    const dir = await this.openFolder(root, parts, false);
    if (!dir) return undefined;
    try {
      return await open(under(dir, name), READ_NOFOLLOW);
    } catch (err) {
      if (code(err) === 'ENOENT' || code(err) === 'ENOTDIR') return undefined;
      if (code(err) === 'ELOOP') throw new PathChangedError(); // became a symlink since resolving
      throw err;
    } finally {
      await dir.close();
    }
  }

  private async writeAnchored(absolute: string, data: string | Uint8Array): Promise<void> {
    const { root, parts, real } = this.locate(absolute);
    const name = parts.pop();
    if (name === undefined) throw new Error(`${absolute} is a folder`);
    const dir = await this.openFolder(root, parts, true);
    if (!dir) throw new Error(`Could not create the folder for ${real}`);
    try {
      const mode = await existingMode(under(dir, name), real);
      const tmpName = `.${name.slice(0, 200)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      await writeTemp(under(dir, tmpName), data, mode);
      // rename replaces the final component itself: a symlink put there meanwhile is not followed.
      await rename(under(dir, tmpName), under(dir, name)).catch(async (err: unknown) => {
        await rm(under(dir, tmpName), { force: true });
        throw err;
      });
    } finally {
      await dir.close();
    }
  }

  // ── Fallback without /proc: check right before, compare after ─────────────────────

  private async openChecked(absolute: string): Promise<FileHandle | undefined> {
    const { real } = this.locate(absolute);
    const handle = await open(real, READ_NOFOLLOW).catch((err: unknown) => {
      if (code(err) === 'ENOENT' || code(err) === 'ENOTDIR') return undefined;
      if (code(err) === 'ELOOP') throw new PathChangedError();
      throw err;
    });
    if (!handle) return undefined;
    try {
      const opened = await handle.stat();
      const again = this.locate(absolute).real;
      const now = await lstat(real).catch(() => undefined);
      if (again !== real || !now || now.dev !== opened.dev || now.ino !== opened.ino)
        throw new PathChangedError();
      return handle;
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  private async writeChecked(absolute: string, data: string | Uint8Array): Promise<void> {
    const { real } = this.locate(absolute);
    const folder = path.dirname(real);
    await mkdir(folder, { recursive: true });
    const before = this.locate(absolute).real === real ? await lstat(folder) : undefined;
    if (!before?.isDirectory()) throw new PathChangedError();
    const tmp = path.join(
      folder,
      `.${path.basename(real).slice(0, 200)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
    );
    await writeTemp(tmp, data, await existingMode(real, real));
    try {
      const after = await lstat(folder);
      if (this.locate(absolute).real !== real || after.dev !== before.dev || after.ino !== before.ino)
        throw new PathChangedError();
      await rename(tmp, real);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }
}

function isPrefix(root: string, p: string): boolean {
  return insideAny(p, [root]);
}

/** The mode of the file being replaced (never following a symlink), or undefined for a new file. */
async function existingMode(file: string, shown: string): Promise<number | undefined> {
  const handle = await open(file, READ_NOFOLLOW).catch((err: unknown) => {
    if (code(err) === 'ENOENT') return undefined;
    if (code(err) === 'ELOOP') throw new PathChangedError();
    throw err;
  });
  if (!handle) return undefined;
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw Object.assign(new Error(`${shown} is a folder`), { code: 'EISDIR' });
    return info.mode & 0o7777;
  } finally {
    await handle.close();
  }
}

/** Creates a fresh temp file (never an existing one, never through a link), writes and syncs it. */
async function writeTemp(tmp: string, data: string | Uint8Array, mode: number | undefined): Promise<void> {
  const handle = await open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode ?? 0o644);
  try {
    await handle.writeFile(data);
    if (mode !== undefined) await handle.chmod(mode);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
}
