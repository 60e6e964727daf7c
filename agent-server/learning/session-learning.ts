import { randomUUID } from 'node:crypto';
import { userText, type ChatMessage } from '../core/messages.js';
import type { HistoryStore } from '../history/index.js';
import type { PermissionGate } from '../permissions/gate.js';
import type { SessionMemory } from '../memory/session-memory.js';
import type { SessionSkills } from '../skills/session-skills.js';
import { memoryLabel } from '../memory/memory-store.js';
import { MemoryEditError } from '../memory/entries.js';
import { MemoryUsage } from '../memory/memory-usage.js';
import { SkillRecords } from '../skills/skill-records.js';
import { describeProvenance, firstLine, type Provenance } from './provenance.js';
import { reviewLearningCommand } from './review-learning.js';

/** What a session had in play: the memory entries in its prompt and the skills it could load. */
export interface LoadedLearning {
  memory: { scope: string; target: string; entry: string; provenance?: Provenance }[];
  skills: { name: string; source: string; file: string; provenance?: Provenance; origin?: string }[];
}

/**
 * Marks the record in a session's history listing what was loaded. Stored as a system message:
 * kept in the session's record, never sent back to the model nor searched as conversation.
 */
export const LOADED_LEARNING_PREFIX = 'cairn:loaded-learning ';

export function loadedLearningRecord(loaded: LoadedLearning): ChatMessage {
  return { role: 'system', content: LOADED_LEARNING_PREFIX + JSON.stringify(loaded) };
}

/** The list back from a stored message; undefined for any other message. */
export function parseLoadedLearning(message: ChatMessage): LoadedLearning | undefined {
  if (message.role !== 'system' || !message.content.startsWith(LOADED_LEARNING_PREFIX)) return undefined;
  try {
    return JSON.parse(message.content.slice(LOADED_LEARNING_PREFIX.length)) as LoadedLearning;
  } catch {
    return undefined;
  }
}

export interface SessionLearningOptions {
  sessionId: string;
  cwd: string;
  home: string;
  memory: SessionMemory;
  skills: SessionSkills;
  gate: PermissionGate;
  /** The conversation so far (the prompt being answered is its last user message). */
  messages: () => readonly ChatMessage[];
  log: (line: string) => void;
}

/** A slash command in the runtime's shape. */
export interface LearningSlashCommand {
  name: string;
  description: string;
  hint?: string;
  run(session: unknown, args: string): Promise<{ reply: string } | { prompt: string }>;
}

export interface SessionLearning {
  /** For tool contexts: who is writing learning now. */
  provenance(): Provenance;
  /** Writes the list of loaded memory and skills into the session's record, once. */
  recordLoaded(store: HistoryStore, historyId: string | undefined): Promise<void>;
  commands: LearningSlashCommand[];
}

function lastPrompt(messages: readonly ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role === 'user') return userText(m.content);
  }
  return '';
}

/** Ties a session to its learning: provenance of what it writes, the record of what it loaded, /forget. */
export function createSessionLearning(opts: SessionLearningOptions): SessionLearning {
  let recorded = false;
  const forget: LearningSlashCommand = {
    name: 'forget',
    description: 'Remove a memory entry that contains the given text (asks first, showing the entry)',
    hint: 'text of the entry to forget',
    async run(_session, args) {
      const needle = args.trim();
      if (!needle)
        return { reply: 'Say what to forget: `/forget <text of the entry>`. `/memory` lists them.' };
      const matches = (await opts.memory.store.entries()).filter((e) =>
        e.text.toLowerCase().includes(needle.toLowerCase()),
      );
      if (matches.length === 0)
        return { reply: `No memory entry contains "${needle}". \`/memory\` lists them.` };
      if (matches.length > 1)
        return {
          reply:
            `${matches.length} entries contain "${needle}"; give more of the text:\n` +
            matches
              .map((e) => `- ${e.text.replace(/\s+/g, ' ')} (${memoryLabel(e.scope, e.target)})`)
              .join('\n'),
        };
      const entry = matches[0]!;
      const outcome = await opts.gate.request(
        {
          toolCallId: `forget-${randomUUID()}`,
          toolName: 'memory',
          category: 'edit',
          kind: 'delete',
          title: `Forget this entry from ${memoryLabel(entry.scope, entry.target)}?`,
          ruleKey: 'memory:forget',
          // The user typed it, but what goes is shown and confirmed in every mode, each time.
          dangerous: true,
          askEveryTime: true,
          content: [
            { type: 'text', text: `${entry.text}\n\n(from ${describeProvenance(entry.provenance)})` },
          ],
          rawInput: { forget: entry.text },
        },
        new AbortController().signal,
      );
      if (!outcome.allowed) return { reply: `Kept it: ${outcome.message}` };
      try {
        await opts.memory.store.forget(entry.scope, entry.target, entry.text);
      } catch (err) {
        if (err instanceof MemoryEditError) return { reply: `Not removed: ${err.message}` };
        throw err;
      }
      return {
        reply: `Forgot: ${entry.text.replace(/\s+/g, ' ')}\nIt leaves the prompt from the next session; \`cairn memory history\` keeps it.`,
      };
    },
  };
  return {
    provenance: () => ({
      sessionId: opts.sessionId,
      date: new Date().toISOString(),
      project: opts.cwd,
      prompt: firstLine(lastPrompt(opts.messages())),
    }),
    async recordLoaded(store, historyId) {
      if (recorded || !historyId) return;
      recorded = true;
      try {
        await store.append(historyId, {
          type: 'message',
          message: loadedLearningRecord(await loadedLearning(opts)),
        });
      } catch (err) {
        opts.log(
          `cairn: the memory and skills of session ${opts.sessionId} were not recorded: ${(err as Error).message}`,
        );
      }
      // Usage (times used, last used) for review: the entries this session's prompt carried.
      try {
        await new MemoryUsage(opts.home).recordLoaded(
          opts.memory.snapshot.files.flatMap((f) => f.entries.map((entry) => ({ file: f.path, entry }))),
        );
      } catch (err) {
        opts.log(`cairn: memory usage was not counted: ${(err as Error).message}`);
      }
    },
    commands: [forget, reviewLearningCommand(opts)],
  };
}

async function loadedLearning(opts: SessionLearningOptions): Promise<LoadedLearning> {
  const memory: LoadedLearning['memory'] = [];
  for (const file of opts.memory.snapshot.files)
    file.entries.forEach((entry, i) => {
      const provenance = file.provenance?.[i];
      memory.push({ scope: file.scope, target: file.target, entry, ...(provenance ? { provenance } : {}) });
    });
  const records = await new SkillRecords(opts.home)
    .all()
    .catch(() => ({}) as Awaited<ReturnType<SkillRecords['all']>>);
  const skills = opts.skills.catalog.skills.map((s) => {
    const record = records[s.usageKey];
    return {
      name: s.name,
      source: s.source,
      file: s.file,
      ...(record?.provenance ? { provenance: record.provenance } : {}),
      ...(record?.origin
        ? { origin: `${record.origin.source}@${record.origin.commit ?? record.origin.ref ?? ''}` }
        : {}),
    };
  });
  return { memory, skills };
}
