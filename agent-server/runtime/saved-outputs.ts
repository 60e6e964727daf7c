import * as fs from 'node:fs';
import * as path from 'node:path';
import { lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { AnchoredFiles, type FileInfo } from '../workspace/anchored-files.js';
import type { SavedOutputReader } from '../tools/types.js';

export interface SavedOutputLimits {
  keepDays: number;
  keepMB: number;
}

/** A name safe as one path component: ids come from the model and the client. */
function safeName(id: string): string {
  const cleaned = id.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 100);
  return cleaned.replace(/^_*$/, '') || 'output';
}

/** `<home>/sessions`: each session's scratch area in Cairn's home (never in the workspace). */
export function sessionsDir(home: string): string {
  return path.join(home, 'sessions');
}

/**
 * Whole tool results that were cut for the model, one file per call in
 * `<home>/sessions/<session>/outputs/`, so the model can read the rest with read_file. Files are
 * written atomically and never through a link; reads are anchored at this folder (the only place
 * outside the workspace read_file may read, and only read). Old files are pruned across all
 * sessions by age and total size.
 */
export class SessionOutputs implements SavedOutputReader {
  readonly dir: string;
  private files: AnchoredFiles | undefined;
  private readonly taken = new Set<string>();
  private bytesSincePrune = 0;
  private pruned = false;

  constructor(
    private readonly home: string,
    sessionId: string,
    private readonly limits: SavedOutputLimits,
    private readonly log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {
    this.dir = path.join(sessionsDir(home), safeName(sessionId), 'outputs');
  }

  /** The folder, created private to the user, and the anchored access to it. */
  private async open(): Promise<AnchoredFiles> {
    if (!this.files) {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      this.files = new AnchoredFiles([this.dir], [fs.realpathSync.native(this.dir)]);
    }
    return this.files;
  }

  /** Saves `text` as the call's whole output; returns the file's absolute path. */
  async save(toolCallId: string, text: string): Promise<string> {
    const files = await this.open();
    const base = safeName(toolCallId);
    let name = `${base}.txt`;
    // Some servers reuse call ids across turns: an earlier file stays what the model was told.
    for (let n = 2; this.taken.has(name) || fs.existsSync(path.join(this.dir, name)); n++)
      name = `${base}-${n}.txt`;
    this.taken.add(name);
    const file = path.join(this.dir, name);
    await files.writeFile(file, text);
    this.bytesSincePrune += Buffer.byteLength(text);
    if (!this.pruned || this.bytesSincePrune > (this.limits.keepMB * 1024 * 1024) / 8) {
      this.pruned = true;
      this.bytesSincePrune = 0;
      await pruneSavedOutputs(this.home, this.limits, new Set([file])).catch((err: unknown) =>
        this.log(`cairn: could not prune saved tool outputs: ${(err as Error).message}`),
      );
    }
    return file;
  }

  /** The absolute path when `requested` names an entry inside this session's folder. */
  owns(requested: string): string | undefined {
    if (!path.isAbsolute(requested) || requested.includes('\0')) return undefined;
    const absolute = path.resolve(requested);
    // Either spelling of the folder (Cairn's home may sit behind a link); opening checks again.
    for (const dir of [this.dir, realOrUndefined(this.dir)].filter((d): d is string => d !== undefined)) {
      const rel = path.relative(dir, absolute);
      if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return path.join(this.dir, rel);
    }
    return undefined;
  }

  async readText(absolute: string): Promise<string | undefined> {
    return (await this.open()).readText(absolute);
  }

  async inspect(absolute: string, headBytes: number): Promise<FileInfo> {
    return (await this.open()).inspect(absolute, headBytes);
  }
}

function realOrUndefined(p: string): string | undefined {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return undefined;
  }
}

/**
 * Removes saved outputs older than `keepDays`, then the oldest until all sessions' files fit in
 * `keepMB`; `keep` is never removed (the file just written). Links are removed, never followed.
 */
export async function pruneSavedOutputs(
  home: string,
  limits: SavedOutputLimits,
  keep: ReadonlySet<string> = new Set(),
  now = Date.now(),
): Promise<void> {
  const root = sessionsDir(home);
  const found: { file: string; size: number; mtime: number }[] = [];
  for (const session of await readdir(root).catch(() => [] as string[])) {
    const outputs = path.join(root, session, 'outputs');
    const info = await lstat(outputs).catch(() => undefined);
    if (!info?.isDirectory()) continue;
    for (const name of await readdir(outputs)) {
      const file = path.join(outputs, name);
      const st = await lstat(file).catch(() => undefined);
      if (st && !st.isDirectory()) found.push({ file, size: st.size, mtime: st.mtimeMs });
    }
  }
  const maxAge = limits.keepDays * 24 * 60 * 60 * 1000;
  const maxTotal = limits.keepMB * 1024 * 1024;
  found.sort((a, b) => a.mtime - b.mtime);
  let total = found.reduce((sum, f) => sum + f.size, 0);
  for (const f of found) {
    if (keep.has(f.file)) continue;
    if (now - f.mtime <= maxAge && total <= maxTotal) continue;
    await rm(f.file, { force: true });
    total -= f.size;
  }
}
