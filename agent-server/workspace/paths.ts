import * as fs from 'node:fs';
import * as path from 'node:path';
import { insideAny, LinkLeadsOutsideError, resolveInsideRoots } from './link-resolve.js';

export class PathOutsideWorkspaceError extends Error {
  override name = 'PathOutsideWorkspaceError';
  constructor(
    readonly requested: string,
    roots: readonly string[],
    why = '',
  ) {
    super(
      `Path "${requested}" is outside the workspace (${roots.join(', ')})${why ? `: ${why}` : ''}. ` +
        'Only files inside the session folder, or folders the client added, can be used.',
    );
  }
}

/** realpath of the nearest existing ancestor, plus the part that does not exist yet. */
function realpathAllowingMissing(p: string): string {
  let existing = p;
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync.native(existing), ...rest.reverse());
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
      const parent = path.dirname(existing);
      if (parent === existing) return p;
      rest.push(path.basename(existing));
      existing = parent;
    }
  }
}

/**
 * Resolves paths against a session's folder and refuses anything that leaves it:
 * `..`, absolute paths elsewhere, and symlinks whose target is outside (dangling ones included).
 * This is the early check that gives the model a clear error; the file is opened later by
 * AnchoredFiles, which checks again at that moment without following links.
 */
export class PathPolicy {
  /** The roots with every symlink resolved: what "inside" is measured against. */
  readonly realRoots: readonly string[];

  constructor(
    readonly root: string,
    readonly extraRoots: readonly string[] = [],
  ) {
    this.realRoots = [root, ...extraRoots].map((r) => realpathAllowingMissing(path.resolve(r)));
  }

  get roots(): readonly string[] {
    return [this.root, ...this.extraRoots];
  }

  /** Absolute, normalised path inside a root; throws PathOutsideWorkspaceError otherwise. */
  resolve(requested: string): string {
    if (typeof requested !== 'string' || requested.length === 0) {
      throw new Error('A path is required.');
    }
    if (requested.includes('\0')) throw new Error('Path contains a NUL byte.');
    const absolute = path.resolve(this.root, requested);
    let real: string;
    try {
      real = resolveInsideRoots(this.realRoots, absolute);
    } catch (err) {
      if (err instanceof LinkLeadsOutsideError)
        throw new PathOutsideWorkspaceError(requested, this.roots, err.message);
      throw err;
    }
    if (!insideAny(real, this.realRoots)) throw new PathOutsideWorkspaceError(requested, this.roots);
    return absolute;
  }

  /**
   * For titles and locations shown before a call runs: the resolved path when it is inside,
   * else the request as given (the call itself will be refused by `resolve`).
   */
  resolveForDisplay(requested: string): string {
    try {
      return this.resolve(requested);
    } catch {
      return requested;
    }
  }

  /** Path relative to the main root when inside it, for titles and messages. */
  display(absolute: string): string {
    const rel = path.relative(this.root, absolute);
    return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : absolute;
  }
}
