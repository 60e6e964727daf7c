import type { AgentSession } from './agent-session.js';
import { statusText } from './session-status.js';

/** A command the user types as `/name args` in the editor's prompt box. */
export interface SlashCommand {
  name: string;
  description: string;
  /** Shown by the editor as the argument hint. */
  hint?: string;
  /**
   * Either text for the user, shown without calling the model (`reply`), a user message
   * that replaces what was typed and runs a normal turn (`prompt`), or a message for the
   * running turn (`steer`; a normal turn when none runs).
   */
  run(
    session: AgentSession,
    args: string,
  ): Promise<{ reply: string } | { prompt: string } | { steer: string }>;
}

/** `/name rest` → parts; undefined when the text is not a command. */
export function parseSlashCommand(text: string): { name: string; args: string } | undefined {
  const m = /^\/([A-Za-z0-9][\w.-]*)(?:\s+([\s\S]*))?$/.exec(text.trim());
  return m ? { name: m[1]!, args: (m[2] ?? '').trim() } : undefined;
}

/** `/compact`: summarise the older turns now (it also happens by itself when the context is nearly full). */
export const compactCommand: SlashCommand = {
  name: 'compact',
  description: 'Summarise older turns to free context; the session continues from the summary',
  async run(session) {
    return { reply: await session.compact() };
  },
};

/** `/steer`: a message for the model in the middle of its turn, seen before its next step. */
export const steerCommand: SlashCommand = {
  name: 'steer',
  description: 'Send a message into the running turn: the model sees it before its next step',
  hint: 'message',
  async run(_session, args) {
    return args ? { steer: args } : { reply: 'Usage: `/steer <message>` — sent into the running turn.' };
  },
};

/** `/title`: renames the session (history and the client's list show the new name). */
export const titleCommand: SlashCommand = {
  name: 'title',
  description: 'Rename this session',
  hint: 'new title',
  async run(session, args) {
    if (!args)
      return {
        reply: `Usage: \`/title <new title>\`. This session is called: ${session.title ?? '(no title yet)'}`,
      };
    await session.setTitle(args);
    return { reply: `Renamed to: ${session.title}` };
  },
};

/** Cairn's own commands. Features add theirs (skills, memory, compaction) where the session is built. */
export function builtinCommands(all: () => SlashCommand[]): SlashCommand[] {
  return [
    steerCommand,
    titleCommand,
    {
      name: 'help',
      description: 'What Cairn can do, and its commands',
      async run() {
        const lines = all().map(
          (c: { name: string; description: string; hint?: string }) =>
            `- \`/${c.name}${c.hint ? ` <${c.hint}>` : ''}\` — ${c.description}`,
        );
        return {
          reply:
            'Cairn reads, searches and edits files, runs commands in a workspace-scoped terminal, keeps a plan, ' +
            'and remembers across sessions.\n\nCommands:\n' +
            lines.join('\n'),
        };
      },
    },
    {
      name: 'status',
      description: 'Model, endpoint, mode, tokens and cost, terminal backend and tools of this session',
      async run(session) {
        return { reply: statusText(session) };
      },
    },
  ];
}
