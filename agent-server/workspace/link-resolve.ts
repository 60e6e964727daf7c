import * as fs from 'node:fs';
import * as path from 'node:path';

/** Linux's own limit on symlinks followed in one lookup (MAXSYMLINKS). */
const MAX_LINK_HOPS = 40;

/** A symlink inside a workspace root whose target (existing or not) lies outside every root. */
export class LinkLeadsOutsideError extends Error {
  override name = 'LinkLeadsOutsideError';
  constructor(
    readonly link: string,
    readonly target: string,
  ) {
    super(`${link} is a symlink to ${target}, outside the workspace`);
  }
}

/** Too many symlinks on one path: a loop, or a chain built to exhaust the resolver. */
export class LinkLoopError extends Error {
  override name = 'LinkLoopError';
  constructor(readonly link: string) {
    super(`${link}: too many levels of symbolic links (a symlink loop?)`);
  }
}

export function isInside(child: string, root: string): boolean {
  const rel = path.relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export function insideAny(child: string, roots: readonly string[]): boolean {
  return roots.some((r) => isInside(child, r));
}

/**
 * The real path of `absolute`, resolved one component at a time as the kernel would: every
 * symlink is followed, and a symlink that sits inside a root must lead inside a root — dangling
 * links included, since writing through one creates its target. Symlinks outside the roots (in the
 * roots' own ancestry, such as a symlinked home folder) are followed freely. A missing tail is
 * appended as given. Throws LinkLeadsOutsideError or LinkLoopError.
 *
 * This only decides; it opens nothing. Callers that then use the path must open it without
 * following links (see AnchoredFiles), since any component can change after this returns.
 */
export function resolveInsideRoots(realRoots: readonly string[], absolute: string): string {
  const hops = { count: 0 };
  return walk('/', components(absolute), realRoots, hops);
}

function components(p: string): string[] {
  return p.split(/[\\/]+/).filter((c) => c !== '' && c !== '.');
}

function walk(start: string, parts: string[], roots: readonly string[], hops: { count: number }): string {
  let current = start;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part === '..') {
      // `current` holds no symlinks, so its lexical parent is the real parent.
      current = path.dirname(current);
      continue;
    }
    const next = path.join(current, part);
    let info: fs.Stats;
    try {
      info = fs.lstatSync(next);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return path.join(next, ...parts.slice(i + 1));
      throw err;
    }
    if (!info.isSymbolicLink()) {
      current = next;
      continue;
    }
    if (++hops.count > MAX_LINK_HOPS) throw new LinkLoopError(next);
    const target = fs.readlinkSync(next);
    const resolved = walk(path.isAbsolute(target) ? '/' : current, components(target), roots, hops);
    if (insideAny(next, roots) && !insideAny(resolved, roots))
      throw new LinkLeadsOutsideError(next, resolved);
    current = resolved;
  }
  return current;
}
