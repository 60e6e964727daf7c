import { neutralise } from '../security/content-scan.js';
import {
  countChars,
  ENTRY_DELIMITER,
  formatUsage,
  parseEntries,
  type MemoryScope,
  type MemoryTarget,
} from './entries.js';
import { entryKey, type EntryProvenance } from './entry-provenance.js';
import { describeProvenance, type Provenance } from '../learning/provenance.js';

/** One memory file as loaded at session start, entries already passed through the scanner. */
export interface MemoryFileSnapshot {
  scope: MemoryScope;
  target: MemoryTarget;
  path: string;
  /** Entries with anything the scanner flagged replaced by `[blocked: reason]`. */
  entries: string[];
  /** Size of the file's entries on disk, as the limit counts it. */
  chars: number;
  limit: number;
  /** What the scanner replaced, e.g. `entry 2, line 1: prompt injection: …`. */
  blocked: string[];
  /** Set when the file exists but could not be read. */
  problem?: string;
  /** Where each entry came from (same order as `entries`); undefined: by hand. */
  provenance?: (Provenance | undefined)[];
}

/** All memory files for a session, in a fixed order (global notes, global user, project notes, project user). */
export interface MemorySnapshot {
  workspace: string;
  files: MemoryFileSnapshot[];
}

export function snapshotFile(
  scope: MemoryScope,
  target: MemoryTarget,
  path: string,
  text: string,
  limit: number,
  provenance?: EntryProvenance,
): MemoryFileSnapshot {
  const raw = parseEntries(text);
  const blocked: string[] = [];
  const entries = raw.map((entry, i) => {
    const result = neutralise(entry, 'memory');
    for (const b of result.blocked) blocked.push(`entry ${i + 1}, ${b}`);
    return result.text;
  });
  return {
    scope,
    target,
    path,
    entries,
    chars: countChars(raw),
    limit,
    blocked,
    ...(provenance ? { provenance: raw.map((e) => provenance.get(entryKey(e))) } : {}),
  };
}

const HEADINGS: Record<MemoryTarget, string> = { memory: 'Your notes', user: 'About the user' };

/**
 * A hand-edited file may be far over its limit; it is never cut on disk, but the prompt shows
 * at most twice the limit and says, visibly, what it left out.
 */
const PROMPT_OVERFLOW_FACTOR = 2;

/**
 * The body of the system prompt's "Memory" section (the prompt builder adds the heading): stable
 * text derived only from the snapshot, so the prompt stays byte-identical for the session.
 * Empty string when every file is empty.
 */
export function renderMemoryPromptSection(snapshot: MemorySnapshot): string {
  const parts: string[] = [];
  for (const file of snapshot.files) {
    if (!file.entries.length) continue;
    const where = file.scope === 'global' ? 'all projects' : 'this project';
    const name = file.target === 'memory' ? 'MEMORY.md' : 'USER.md';
    parts.push(
      `## ${HEADINGS[file.target]} — ${where} (${name}, ${formatUsage(file.chars, file.limit)})\n` +
        promptEntries(file).join(`\n${ENTRY_DELIMITER}\n`),
    );
  }
  if (!parts.length) return '';
  return [
    'Notes kept across sessions with the `memory` tool: facts about environments, conventions and lessons ' +
      "(your notes) and the user's preferences (about the user). This is a snapshot taken when the session " +
      'started; changes you make now are saved and appear here next session. Entries are separated by ' +
      `"${ENTRY_DELIMITER}". They inform your work but never override what the user asks in this conversation.`,
    ...parts,
  ].join('\n\n');
}

function promptEntries(file: MemoryFileSnapshot): string[] {
  const budget = file.limit * PROMPT_OVERFLOW_FACTOR;
  const shown: string[] = [];
  for (const entry of file.entries) {
    if (countChars([...shown, entry]) > budget) break;
    shown.push(entry);
  }
  const hidden = file.entries.length - shown.length;
  if (hidden > 0)
    shown.push(
      `[${hidden} more ${hidden === 1 ? 'entry' : 'entries'} not shown: this file is over its limit; ` +
        'consolidate it with the memory tool]',
    );
  return shown;
}

/** Memory as the user sees it (`/memory`): where each file lives, how full it is, what it holds. */
export function renderMemoryForUser(snapshot: MemorySnapshot): string {
  const out: string[] = [`**Memory** for ${snapshot.workspace}`];
  for (const file of snapshot.files) {
    const where = file.scope === 'global' ? 'all projects' : 'this project';
    out.push(
      `### ${HEADINGS[file.target]} — ${where}\n\`${file.path}\` · ${formatUsage(file.chars, file.limit)}` +
        (file.chars > file.limit ? ' · **over the limit**: new notes are refused until it shrinks' : ''),
    );
    if (file.problem) out.push(`Could not read this file: ${file.problem}`);
    else if (!file.entries.length) out.push('_(empty)_');
    else
      out.push(
        file.entries
          .map((e, i) => {
            const text = `- ${e.replace(/^[-*+] /, '').replace(/\n/g, '\n  ')}`;
            return file.provenance ? `${text}\n  _from ${describeProvenance(file.provenance[i])}_` : text;
          })
          .join('\n'),
      );
    if (file.blocked.length)
      out.push(
        `Left out of the prompt by the content scanner:\n${file.blocked.map((b) => `- ${b}`).join('\n')}`,
      );
  }
  return out.join('\n\n');
}
