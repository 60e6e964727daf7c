import {
  applyEdit,
  countChars,
  formatUsage,
  limitFor,
  parseEntries,
  serializeEntries,
  type MemoryEdit,
  type MemoryLimits,
  type MemoryScope,
  type MemoryTarget,
} from './entries.js';
import { snapshotFile, type MemorySnapshot } from './snapshot.js';
import {
  checkContent,
  entryViews,
  MEMORY_FILE_NAMES,
  MEMORY_FILE_ORDER,
  memoryLabel,
  type CuratedMemory,
  type MemoryEditReport,
  type MemoryEntryView,
} from './memory-store.js';
import { nextProvenance, type EntryProvenance } from './entry-provenance.js';
import type { Provenance } from '../learning/provenance.js';
import { MemoryEditError } from './entries.js';

/** The same store kept in memory, for tests of code that uses memory (sessions, the tool). */
export class InMemoryMemoryStore implements CuratedMemory {
  private readonly texts = new Map<string, string>();
  private readonly provenance = new Map<string, EntryProvenance>();

  constructor(
    private readonly limits: MemoryLimits,
    initial: Partial<Record<`${MemoryScope}/${MemoryTarget}`, string>> = {},
  ) {
    for (const [key, text] of Object.entries(initial)) this.texts.set(key, text);
  }

  async snapshot(): Promise<MemorySnapshot> {
    return {
      workspace: '(in memory)',
      files: MEMORY_FILE_ORDER.map(([scope, target]) =>
        snapshotFile(
          scope,
          target,
          `(in memory)/${scope}/${MEMORY_FILE_NAMES[target]}`,
          this.texts.get(`${scope}/${target}`) ?? '',
          limitFor(target, this.limits),
          this.provenance.get(`${scope}/${target}`) ?? new Map(),
        ),
      ),
    };
  }

  async edit(
    scope: MemoryScope,
    target: MemoryTarget,
    edit: MemoryEdit,
    provenance?: Provenance,
  ): Promise<MemoryEditReport> {
    checkContent(edit);
    const limit = limitFor(target, this.limits);
    return this.change(scope, target, provenance, (entries) =>
      applyEdit(entries, edit, limit, memoryLabel(scope, target)),
    );
  }

  async forget(scope: MemoryScope, target: MemoryTarget, entry: string): Promise<MemoryEditReport> {
    return this.change(scope, target, undefined, (entries) => {
      if (!entries.includes(entry)) throw new MemoryEditError('That entry is no longer there.');
      return { entries: entries.filter((e) => e !== entry), changed: true, note: 'Removed an entry.' };
    });
  }

  async entries(): Promise<MemoryEntryView[]> {
    return MEMORY_FILE_ORDER.flatMap(([scope, target]) => {
      const key = `${scope}/${target}`;
      return entryViews(
        scope,
        target,
        // The same path as the snapshot's, so usage keyed by file matches.
        `(in memory)/${scope}/${MEMORY_FILE_NAMES[target]}`,
        this.texts.get(key) ?? '',
        this.provenance.get(key) ?? new Map(),
      );
    });
  }

  private change(
    scope: MemoryScope,
    target: MemoryTarget,
    provenance: Provenance | undefined,
    apply: (entries: string[]) => { entries: string[]; changed: boolean; note: string },
  ): MemoryEditReport {
    const key = `${scope}/${target}`;
    const limit = limitFor(target, this.limits);
    const entries = parseEntries(this.texts.get(key) ?? '');
    const result = apply(entries);
    if (result.changed) {
      this.texts.set(key, serializeEntries(result.entries));
      const written = result.entries.find((e) => !entries.includes(e));
      this.provenance.set(
        key,
        nextProvenance(this.provenance.get(key) ?? new Map(), result.entries, written, provenance),
      );
    }
    const chars = countChars(result.entries);
    return {
      message: `${result.note} ${formatUsage(chars, limit)}. Saved; it shows in the system prompt from the next session.`,
      path: `(in memory)/${key}`,
      chars,
      limit,
      changed: result.changed,
    };
  }
}
