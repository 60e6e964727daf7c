// Composer completion, without DOM: what the caret is completing (a slash
// command at the start of the prompt, or an `@file` mention anywhere), which
// commands match, and the text after picking one.
import type { AvailableCommand } from '@agentclientprotocol/sdk';

export type CompletionTrigger = {
  kind: 'command' | 'mention';
  /** What the user typed after `/` or `@`. */
  query: string;
  /** Range of the typed token (including `/` or `@`) in the text. */
  from: number;
  to: number;
};

export function findTrigger(text: string, caret: number): CompletionTrigger | null {
  const before = text.slice(0, caret);
  const command = /^\/(\S*)$/.exec(before);
  if (command) return { kind: 'command', query: command[1] ?? '', from: 0, to: caret };
  const mention = /(?:^|\s)@([^\s@]*)$/.exec(before);
  if (mention) {
    const query = mention[1] ?? '';
    return { kind: 'mention', query, from: caret - query.length - 1, to: caret };
  }
  return null;
}

/** Commands matching `query`: name prefix matches first, then substring matches, each alphabetical. */
export function matchCommands(commands: readonly AvailableCommand[], query: string): AvailableCommand[] {
  const q = query.toLowerCase();
  const byName = (a: AvailableCommand, b: AvailableCommand) => a.name.localeCompare(b.name);
  const prefix = commands.filter((c) => c.name.toLowerCase().startsWith(q)).sort(byName);
  const inner = commands
    .filter((c) => !c.name.toLowerCase().startsWith(q) && c.name.toLowerCase().includes(q))
    .sort(byName);
  return [...prefix, ...inner];
}

/** Replaces the trigger's token with `replacement` plus a space; returns the new text and caret. */
export function applyCompletion(
  text: string,
  trigger: CompletionTrigger,
  replacement: string,
): { text: string; caret: number } {
  const after = text.slice(trigger.to);
  const spacer = after.startsWith(' ') ? '' : ' ';
  const inserted = replacement + spacer;
  return {
    text: text.slice(0, trigger.from) + inserted + after,
    caret: trigger.from + inserted.length + (spacer ? 0 : 1),
  };
}
