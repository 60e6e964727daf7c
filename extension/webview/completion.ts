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

/** An `@` reference that is not a file: gathered by the host, or a web address. */
export type ReferenceOption =
  | { ref: 'problems' | 'terminal' | 'git-changes'; label: string; detail: string }
  | { ref: 'url'; label: string; detail: string; url: string };

const REFERENCES: readonly Extract<ReferenceOption, { ref: 'problems' | 'terminal' | 'git-changes' }>[] = [
  { ref: 'problems', label: '@problems', detail: 'Errors and warnings from the Problems panel' },
  { ref: 'terminal', label: '@terminal', detail: 'Recent output of the active terminal' },
  { ref: 'git-changes', label: '@git-changes', detail: 'Staged and unstaged diff, untracked files' },
];

/**
 * The references an `@` query matches: a typed http(s) address becomes `@url`; otherwise the
 * special references whose name starts with (or, after those, contains) the query.
 */
export function matchReferences(query: string): ReferenceOption[] {
  if (/^https?:\/\/[^\s/]+/i.test(query)) {
    try {
      const url = new URL(query).href;
      return [{ ref: 'url', label: `@${query}`, detail: 'Web page, read by the agent with web_fetch', url }];
    } catch {
      return [];
    }
  }
  const q = query.toLowerCase();
  return [
    ...REFERENCES.filter((r) => r.ref.startsWith(q)),
    ...REFERENCES.filter((r) => !r.ref.startsWith(q) && r.ref.includes(q)),
  ];
}
