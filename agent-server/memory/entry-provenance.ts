import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../util/atomic-write.js';
import { asProvenance, type Provenance } from '../learning/provenance.js';

/**
 * Where each memory entry came from, beside the memory file (`MEMORY.md` →
 * `MEMORY.provenance.json`), never in the text the model reads. Entries are keyed by a hash of
 * their text: an entry edited by hand no longer matches and so reads as written by hand.
 */
export type EntryProvenance = Map<string, Provenance>;

export function provenanceFileOf(memoryFile: string): string {
  return path.join(path.dirname(memoryFile), `${path.basename(memoryFile, '.md')}.provenance.json`);
}

export function entryKey(entry: string): string {
  return createHash('sha256').update(entry).digest('hex').slice(0, 24);
}

export async function readEntryProvenance(memoryFile: string): Promise<EntryProvenance> {
  const out: EntryProvenance = new Map();
  let text: string;
  try {
    text = await readFile(provenanceFileOf(memoryFile), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw err;
  }
  try {
    const parsed = JSON.parse(text) as { entries?: Record<string, unknown> };
    for (const [key, value] of Object.entries(parsed.entries ?? {})) {
      const p = asProvenance(value);
      if (p) out.set(key, p);
    }
  } catch {
    console.error(`cairn: ${provenanceFileOf(memoryFile)} is not valid JSON; entries read as by hand`);
  }
  return out;
}

/**
 * The provenance after an edit: entries that remain keep theirs, entries no longer there lose
 * theirs, and `written` (the text just added or replaced) gets `provenance` (none: by hand).
 */
export function nextProvenance(
  before: EntryProvenance,
  entries: string[],
  written: string | undefined,
  provenance: Provenance | undefined,
): EntryProvenance {
  const out: EntryProvenance = new Map();
  for (const entry of entries) {
    const key = entryKey(entry);
    const kept = before.get(key);
    if (kept) out.set(key, kept);
  }
  if (written !== undefined) {
    const key = entryKey(written);
    if (provenance) out.set(key, provenance);
    else out.delete(key);
  }
  return out;
}

export async function writeEntryProvenance(memoryFile: string, provenance: EntryProvenance): Promise<void> {
  const entries = Object.fromEntries(provenance);
  await writeFileAtomic(
    provenanceFileOf(memoryFile),
    JSON.stringify({ version: 1, entries }, null, 2) + '\n',
  );
}
