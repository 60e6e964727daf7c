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
  MEMORY_FILE_NAMES,
  MEMORY_FILE_ORDER,
  memoryLabel,
  type CuratedMemory,
  type MemoryEditReport,
} from './memory-store.js';

/** The same store kept in memory, for tests of code that uses memory (sessions, the tool). */
export class InMemoryMemoryStore implements CuratedMemory {
  private readonly texts = new Map<string, string>();

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
        ),
      ),
    };
  }

  async edit(scope: MemoryScope, target: MemoryTarget, edit: MemoryEdit): Promise<MemoryEditReport> {
    checkContent(edit);
    const key = `${scope}/${target}`;
    const limit = limitFor(target, this.limits);
    const result = applyEdit(
      parseEntries(this.texts.get(key) ?? ''),
      edit,
      limit,
      memoryLabel(scope, target),
    );
    if (result.changed) this.texts.set(key, serializeEntries(result.entries));
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
