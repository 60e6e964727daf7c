import type { ToolDefinition } from '../tools/types.js';
import { createMemoryTool } from '../tools/memory.js';
import type { MemoryLimits } from './entries.js';
import { MemoryStore, type CuratedMemory } from './memory-store.js';
import { renderMemoryForUser, renderMemoryPromptSection, type MemorySnapshot } from './snapshot.js';

/** A slash command as the session runtime takes it (same shape as the runtime's SlashCommand). */
export interface MemorySlashCommand {
  name: string;
  description: string;
  hint?: string;
  run(session: unknown, args: string): Promise<{ reply: string } | { prompt: string }>;
}

/** Everything a session needs from curated memory, built once when the session starts. */
export interface SessionMemory {
  store: CuratedMemory;
  /** What the system prompt holds for the whole session. */
  snapshot: MemorySnapshot;
  /** The "Memory" prompt section, fixed for the session so the prompt stays byte-identical. */
  promptSection: { title: string; text: string };
  tools: ToolDefinition[];
  /** Lines the content scanner kept out of the prompt, for the user to see once. */
  notices: string[];
  /** `/memory`: what is on disk now, and whether it differs from this session's prompt. */
  commands: MemorySlashCommand[];
}

export interface SessionMemoryOptions {
  home: string;
  cwd: string;
  limits: MemoryLimits;
  /** Another store (tests use InMemoryMemoryStore); default: the files in `home`. */
  store?: CuratedMemory;
}

export async function createSessionMemory(opts: SessionMemoryOptions): Promise<SessionMemory> {
  const store = opts.store ?? new MemoryStore(opts.home, opts.cwd, opts.limits);
  const snapshot = await store.snapshot();
  const promptSection = { title: 'Memory', text: renderMemoryPromptSection(snapshot) };
  const notices = snapshot.files.flatMap((f) =>
    f.blocked.length
      ? [`Memory file ${f.path}: left out of the prompt by the content scanner — ${f.blocked.join('; ')}`]
      : [],
  );
  const memoryCommand: MemorySlashCommand = {
    name: 'memory',
    description: 'Show what Cairn remembers (global and for this project) and where the files are',
    async run() {
      const now = await store.snapshot();
      const changed = renderMemoryPromptSection(now) !== promptSection.text;
      return {
        reply:
          renderMemoryForUser(now) +
          (changed
            ? '\n\n_Changed since this session started: the changes reach the prompt in the next session._'
            : ''),
      };
    },
  };
  return {
    store,
    snapshot,
    promptSection,
    tools: [createMemoryTool(store) as ToolDefinition],
    notices,
    commands: [memoryCommand],
  };
}
