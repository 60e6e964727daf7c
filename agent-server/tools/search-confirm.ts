import type { FileInfo } from '../workspace/anchored-files.js';
import type { SearchHit } from './node-search.js';

/** ripgrep's `--max-columns-preview` suffix on a cut line, e.g. ` [... omitted end of long line]`. */
const PREVIEW_SUFFIX = / \[\.\.\. [^\]]*\]$/;

/**
 * Keeps only the hits that a file opened safely now (no link followed out of the workspace) really
 * holds, and gives them that file's text. ripgrep opens files by name, so a folder swapped for a
 * symlink while it walks could make it read `~/.ssh/id_rsa`; such a hit does not match the
 * workspace file at that path and is dropped. Whatever is returned was read from the workspace.
 *
 * @param read opens a workspace file without following links out (Workspace.inspect).
 */
export async function confirmHits(
  hits: readonly SearchHit[],
  read: (absolute: string) => Promise<FileInfo>,
  toAbsolute: (file: string) => string,
): Promise<{ hits: SearchHit[]; dropped: number }> {
  const linesOf = new Map<string, Promise<string[] | undefined>>();
  const load = (file: string) => {
    let lines = linesOf.get(file);
    if (!lines) {
      lines = read(toAbsolute(file)).then(
        (info) => (info.kind === 'file' ? info.head.toString('utf8').split('\n') : undefined),
        () => undefined, // refused (a link out now) or gone: nothing from it is shown
      );
      linesOf.set(file, lines);
    }
    return lines;
  };
  const kept: SearchHit[] = [];
  for (const hit of hits) {
    const lines = await load(hit.file);
    const line = hit.line === undefined ? undefined : lines?.[hit.line - 1];
    if (line === undefined || hit.text === undefined) continue;
    if (!sameLine(hit.text, line)) continue;
    kept.push({ ...hit, text: line.replace(/\r$/, '') });
  }
  return { hits: kept, dropped: hits.length - kept.length };
}

/** ripgrep's text of a line (maybe a cut preview) against the line read from the file. */
function sameLine(reported: string, actual: string): boolean {
  const r = reported.replace(/\r$/, '');
  const a = actual.replace(/\r$/, '');
  if (r === a) return true;
  const cut = PREVIEW_SUFFIX.exec(r);
  return !!cut && a.length > cut.index && a.startsWith(r.slice(0, cut.index));
}
