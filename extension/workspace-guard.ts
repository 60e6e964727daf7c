import * as fs from 'node:fs';
import * as path from 'node:path';

/** The agent asked for a path the editor will not touch for it. */
export class PathRefusedError extends Error {
  override name = 'PathRefusedError';
}

function inside(child: string, root: string): boolean {
  const rel = path.relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function real(p: string): string {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return p;
  }
}

/**
 * The editor's own check on what an agent asks it to read or write (`fs/read_text_file`,
 * `fs/write_text_file`): a second line of defence, since any ACP agent can send any path. A path
 * must be absolute and inside a workspace folder, and no symlink on it may lead outside the folders
 * (a dangling one included: writing through it would create its target). Checked at each use.
 */
export class WorkspaceGuard {
  constructor(private readonly folders: () => readonly string[]) {}

  /** Throws PathRefusedError unless `p` may be used now. */
  check(p: string): void {
    if (typeof p !== 'string' || !path.isAbsolute(p) || p.includes('\0'))
      throw new PathRefusedError(`${String(p)} is not an absolute path.`);
    const given = this.folders().map((f) => path.resolve(f));
    const realFolders = given.map(real);
    const absolute = path.resolve(p);
    const folderIndex = given.findIndex((f, i) => inside(absolute, f) || inside(absolute, realFolders[i]!));
    if (folderIndex < 0) throw new PathRefusedError(`${p} is outside the workspace folders.`);
    const realFolder = realFolders[folderIndex]!;
    const base = inside(absolute, given[folderIndex]!) ? given[folderIndex]! : realFolder;
    // Each component below the folder: a symlink must resolve (fully) to somewhere inside.
    let current = realFolder;
    for (const part of path.relative(base, absolute).split(path.sep).filter(Boolean)) {
      const next = path.join(current, part);
      let info: fs.Stats;
      try {
        info = fs.lstatSync(next);
      } catch {
        return; // the rest does not exist yet: nothing to follow
      }
      if (!info.isSymbolicLink()) {
        current = next;
        continue;
      }
      let target: string;
      try {
        target = fs.realpathSync.native(next);
      } catch {
        throw new PathRefusedError(`${p} goes through a symlink that leads nowhere (${next}).`);
      }
      if (!realFolders.some((f) => inside(target, f)))
        throw new PathRefusedError(
          `${p} goes through a symlink to ${target}, outside the workspace folders.`,
        );
      current = target;
    }
  }

  /**
   * The file's text from disk, opened and then checked by what was really opened (the open file's
   * own path from /proc), so a swap between the check and the open cannot hand over another file.
   */
  async readFile(p: string): Promise<string> {
    this.check(p);
    const handle = await fs.promises.open(p, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new PathRefusedError(`${p} is not a regular file.`);
      const opened = await openedPath(handle.fd);
      if (opened !== undefined) {
        if (!this.folders().some((f) => inside(opened, real(path.resolve(f)))))
          throw new PathRefusedError(`${p} led to ${opened}, outside the workspace folders, when opened.`);
      } else this.check(p); // no /proc: the best left is checking again
      return await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  }
}

async function openedPath(fd: number): Promise<string | undefined> {
  try {
    return await fs.promises.readlink(`/proc/self/fd/${fd}`);
  } catch {
    return undefined;
  }
}
