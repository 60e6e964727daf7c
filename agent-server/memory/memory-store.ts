import * as path from 'node:path';
import { mkdir, readFile } from 'node:fs/promises';
import { projectDir } from '../config/home.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { lockFile, removeDeadWritersTemps } from '../util/file-lock.js';
import { scanContent } from '../security/content-scan.js';
import {
  applyEdit,
  countChars,
  formatUsage,
  limitFor,
  MemoryEditError,
  parseEntries,
  serializeEntries,
  type MemoryEdit,
  type MemoryLimits,
  type MemoryScope,
  type MemoryTarget,
} from './entries.js';
import { snapshotFile, type MemoryFileSnapshot, type MemorySnapshot } from './snapshot.js';
import type { Provenance } from '../learning/provenance.js';
import {
  entryKey,
  nextProvenance,
  readEntryProvenance,
  writeEntryProvenance,
  type EntryProvenance,
} from './entry-provenance.js';
import { MemoryVersions, type MemoryFileVersion } from './memory-versions.js';
import type { Version } from '../learning/version-journal.js';

/** What the memory tool and the session need from a memory store (file-backed or in memory). */
export interface CuratedMemory {
  snapshot(): Promise<MemorySnapshot>;
  /**
   * Applies one edit and returns a short report for the model. Throws MemoryEditError.
   * `provenance`: the session that asked for it; none means a hand edit.
   */
  edit(
    scope: MemoryScope,
    target: MemoryTarget,
    edit: MemoryEdit,
    provenance?: Provenance,
  ): Promise<MemoryEditReport>;
  /** Every entry as it is on disk now, with where it came from and what the scanner says of it. */
  entries(): Promise<MemoryEntryView[]>;
  /** Removes the entry whose text is exactly `entry`; MemoryEditError when it is not there. */
  forget(scope: MemoryScope, target: MemoryTarget, entry: string): Promise<MemoryEditReport>;
}

/** One memory entry for review (CLI, editor, `/memory`). */
export interface MemoryEntryView {
  scope: MemoryScope;
  target: MemoryTarget;
  /** The file it is in. */
  path: string;
  /** 1-based position in its file. */
  index: number;
  /** `global/memory/3`: what `cairn memory show|rm` take. */
  id: string;
  text: string;
  /** Undefined: written by hand (or before provenance was kept). */
  provenance?: Provenance;
  /** Why the scanner keeps it out of the prompt; empty when it is loaded. */
  blocked: string[];
}

export function entryId(scope: MemoryScope, target: MemoryTarget, index: number): string {
  return `${scope}/${target}/${index}`;
}

/** Entries of one file as views. */
export function entryViews(
  scope: MemoryScope,
  target: MemoryTarget,
  file: string,
  text: string,
  provenance: EntryProvenance,
): MemoryEntryView[] {
  return parseEntries(text).map((entry, i) => {
    const scan = scanContent(entry, 'memory');
    const p = provenance.get(entryKey(entry));
    return {
      scope,
      target,
      path: file,
      index: i + 1,
      id: entryId(scope, target, i + 1),
      text: entry,
      ...(p ? { provenance: p } : {}),
      blocked: scan.ok ? [] : scan.reasons,
    };
  });
}

export interface MemoryEditReport {
  message: string;
  path: string;
  chars: number;
  limit: number;
  changed: boolean;
}

export const MEMORY_FILE_NAMES: Record<MemoryTarget, string> = { memory: 'MEMORY.md', user: 'USER.md' };
export const MEMORY_FILE_ORDER: [MemoryScope, MemoryTarget][] = [
  ['global', 'memory'],
  ['global', 'user'],
  ['project', 'memory'],
  ['project', 'user'],
];

export function memoryLabel(scope: MemoryScope, target: MemoryTarget): string {
  return `${scope === 'global' ? 'global' : 'project'} ${target === 'memory' ? 'notes (MEMORY.md)' : 'user profile (USER.md)'}`;
}

/** Refuses content the scanner flags, with its reasons, before anything touches disk. */
export function checkContent(edit: MemoryEdit): void {
  if (edit.action === 'remove') return;
  const scan = scanContent(edit.content, 'memory');
  if (!scan.ok)
    throw new MemoryEditError(
      `Not saved: the text looks like a prompt injection or exfiltration attempt (${scan.reasons.join('; ')}). ` +
        'Memory holds facts and preferences, not instructions that override the user or move secrets.',
    );
}

/**
 * Curated memory in Cairn's home: `<home>/MEMORY.md` and `<home>/USER.md`, plus the same
 * pair for the workspace under `projectDir(home, cwd)`. Every write takes a lock on the
 * file (so several Cairn processes never lose each other's writes), re-reads it under the
 * lock (so hand edits and other processes' writes are kept) and replaces it atomically.
 */
export class MemoryStore implements CuratedMemory {
  constructor(
    private readonly home: string,
    private readonly cwd: string,
    private readonly limits: MemoryLimits,
  ) {
    this.versions = new MemoryVersions(home);
  }

  private readonly versions: MemoryVersions;

  filePath(scope: MemoryScope, target: MemoryTarget): string {
    const dir = scope === 'global' ? this.home : projectDir(this.home, this.cwd);
    return path.join(dir, MEMORY_FILE_NAMES[target]);
  }

  async snapshot(): Promise<MemorySnapshot> {
    const files: MemoryFileSnapshot[] = [];
    for (const [scope, target] of MEMORY_FILE_ORDER) {
      const file = this.filePath(scope, target);
      const limit = limitFor(target, this.limits);
      // Start of a session: what a writer that died mid-write left behind goes.
      await removeDeadWritersTemps(file);
      try {
        files.push(
          snapshotFile(scope, target, file, await readText(file), limit, await readEntryProvenance(file)),
        );
      } catch (err) {
        // An unreadable memory file must not stop the session; say so where the user looks.
        console.error(`cairn: could not read memory file ${file}: ${(err as Error).message}`);
        files.push({ ...snapshotFile(scope, target, file, '', limit), problem: (err as Error).message });
      }
    }
    return { workspace: path.resolve(this.cwd), files };
  }

  async edit(
    scope: MemoryScope,
    target: MemoryTarget,
    edit: MemoryEdit,
    provenance?: Provenance,
  ): Promise<MemoryEditReport> {
    checkContent(edit);
    const limit = limitFor(target, this.limits);
    const label = memoryLabel(scope, target);
    return this.change(scope, target, provenance, (entries) => applyEdit(entries, edit, limit, label));
  }

  async forget(scope: MemoryScope, target: MemoryTarget, entry: string): Promise<MemoryEditReport> {
    const label = memoryLabel(scope, target);
    return this.change(scope, target, undefined, (entries) => {
      const i = entries.indexOf(entry);
      if (i === -1) throw new MemoryEditError(`That entry is no longer in ${label}; nothing was removed.`);
      return {
        entries: entries.filter((_, j) => j !== i),
        changed: true,
        note: `Removed an entry from ${label}.`,
      };
    });
  }

  /**
   * A change the user makes by hand (`cairn memory edit`): `update` gets the entries as they are
   * under the lock and returns the new list. New text is scanned like the tool's, the file may not
   * grow past its limit, and the version's message is "by hand".
   */
  async editByHand(
    scope: MemoryScope,
    target: MemoryTarget,
    update: (entries: string[]) => string[],
  ): Promise<MemoryEditReport> {
    const limit = limitFor(target, this.limits);
    const label = memoryLabel(scope, target);
    return this.change(scope, target, undefined, (entries) => {
      const next = update(entries).map((e) => e.replace(/\r\n?/g, '\n').trim());
      if (next.some((e) => !e)) throw new MemoryEditError('An entry may not be empty; remove it instead.');
      const added = next.filter((e) => !entries.includes(e));
      for (const entry of added) checkContent({ action: 'add', content: entry });
      // The file's own format: an entry holding a `§` line would split into two on the next read.
      if (next.some((e) => /^[ \t]*§[ \t]*$/m.test(e)))
        throw new MemoryEditError('An entry may not contain a line holding only "§" (the entry separator).');
      const before = countChars(entries);
      const after = countChars(next);
      if (after > limit && after > before)
        throw new MemoryEditError(
          `Not saved: ${label} would grow to ${after.toLocaleString('en-US')} chars, over its ` +
            `${limit.toLocaleString('en-US')}-char limit. Shorten or remove entries.`,
        );
      const changed = next.length !== entries.length || next.some((e, i) => e !== entries[i]);
      return { entries: next, changed, note: changed ? `Edited ${label} by hand.` : 'Nothing changed.' };
    });
  }

  async entries(): Promise<MemoryEntryView[]> {
    const out: MemoryEntryView[] = [];
    for (const [scope, target] of MEMORY_FILE_ORDER) {
      const file = this.filePath(scope, target);
      out.push(...entryViews(scope, target, file, await readText(file), await readEntryProvenance(file)));
    }
    return out;
  }

  /** Every recorded version of one memory file, oldest first. */
  history(scope: MemoryScope, target: MemoryTarget): Promise<Version<MemoryFileVersion>[]> {
    return this.versions.list(this.versionKey(scope, target));
  }

  /**
   * Brings back version `number` of a file (entries and their provenance). What it brings back is
   * scanned again first: a version the scanner flags now is refused, not restored.
   */
  async restore(scope: MemoryScope, target: MemoryTarget, number: number): Promise<MemoryEditReport> {
    const version = await this.versions.get(this.versionKey(scope, target), number);
    if (!version)
      throw new MemoryEditError(`There is no version ${number} of ${memoryLabel(scope, target)}.`);
    const restored = parseEntries(version.content?.text ?? '');
    for (const entry of restored) checkContent({ action: 'add', content: entry });
    const provenance: EntryProvenance = new Map(Object.entries(version.content?.provenance ?? {}));
    return this.change(
      scope,
      target,
      undefined,
      () => ({
        entries: restored,
        changed: true,
        note: `Restored version ${number} of ${memoryLabel(scope, target)}.`,
      }),
      { provenance, message: `restored version ${number} (by hand)` },
    );
  }

  private versionKey(scope: MemoryScope, target: MemoryTarget): string {
    return path.relative(this.home, this.filePath(scope, target)).split(path.sep).join('/');
  }

  /**
   * One read-modify-write under the file's lock: the entries, their provenance and a version
   * (with the provenance as its message) change together.
   */
  private async change(
    scope: MemoryScope,
    target: MemoryTarget,
    provenance: Provenance | undefined,
    apply: (entries: string[]) => { entries: string[]; changed: boolean; note: string },
    restoring?: { provenance: EntryProvenance; message: string },
  ): Promise<MemoryEditReport> {
    const file = this.filePath(scope, target);
    const limit = limitFor(target, this.limits);
    await mkdir(path.dirname(file), { recursive: true });
    const { release } = await lockFile(file);
    try {
      await removeDeadWritersTemps(file);
      const beforeText = await readText(file);
      const entries = parseEntries(beforeText);
      const result = apply(entries);
      if (result.changed) {
        const beforeProvenance = await readEntryProvenance(file);
        const written = result.entries.find((e) => !entries.includes(e));
        const after =
          restoring?.provenance ?? nextProvenance(beforeProvenance, result.entries, written, provenance);
        const afterText = serializeEntries(result.entries);
        await writeFileAtomic(file, afterText);
        await writeEntryProvenance(file, after);
        await this.versions.record(this.versionKey(scope, target), {
          before: { text: beforeText, provenance: Object.fromEntries(beforeProvenance) },
          after: { text: afterText, provenance: Object.fromEntries(after) },
          ...(provenance ? { provenance } : {}),
          ...(restoring ? { message: restoring.message } : {}),
        });
      }
      const chars = countChars(result.entries);
      return {
        message: `${result.note} ${formatUsage(chars, limit)}. Saved to disk; it shows in the system prompt from the next session.`,
        path: file,
        chars,
        limit,
        changed: result.changed,
      };
    } finally {
      await release();
    }
  }
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}
