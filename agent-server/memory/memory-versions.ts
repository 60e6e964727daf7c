import { VersionJournal } from '../learning/version-journal.js';
import type { Provenance } from '../learning/provenance.js';

/** One version of a memory file: its text and the provenance of its entries. */
export interface MemoryFileVersion {
  text: string;
  provenance: Record<string, Provenance>;
}

/** Memory files' versions; a hand edit is noticed by the text alone. */
export class MemoryVersions extends VersionJournal<MemoryFileVersion> {
  constructor(home: string) {
    super(home, (a, b) => (a?.text ?? '') === (b?.text ?? ''));
  }
}
