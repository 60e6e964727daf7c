// Which user message is which prompt for the agent: the index `session/fork` and checkpoints use
// (the user's prompts in the session, 0-based, as a replay shows them), and the checkpoint taken
// before each. Pure, over the transcript items.
import type { CheckpointInfo } from '../../../shared/webview-protocol.js';
import type { TranscriptItem } from './chat-state.js';

type UserItem = Extract<TranscriptItem, { kind: 'user' }>;

/**
 * Each user message's index among the session's prompts. Slash commands answered by the agent
 * itself (`/title`, `/rewind`, ...) are not prompts of the conversation, so they get none; a
 * replay never shows them.
 */
export function userMessageIndexes(items: readonly TranscriptItem[]): Map<string, number> {
  const indexes = new Map<string, number>();
  let next = 0;
  for (const item of items) {
    if (item.kind !== 'user' || isCommand(item)) continue;
    indexes.set(item.id, next++);
  }
  return indexes;
}

/**
 * The checkpoint taken before each user message, by item id. A checkpoint names its prompt by
 * index and first line: the message at that index is taken when its first line agrees, else
 * the nearest message with that first line (a slash command that expanded to a prompt shifts
 * the count), else the one at the index.
 */
export function checkpointsByMessage(
  items: readonly TranscriptItem[],
  checkpoints: readonly CheckpointInfo[],
): Map<string, CheckpointInfo> {
  const byItem = new Map<string, CheckpointInfo>();
  if (!checkpoints.length) return byItem;
  const indexes = userMessageIndexes(items);
  const users = items.filter((i): i is UserItem => i.kind === 'user' && indexes.has(i.id));
  for (const cp of checkpoints) {
    const want = firstLine(cp.prompt);
    const atIndex = users[cp.beforeUserMessage];
    let match: UserItem | undefined = atIndex && samePrompt(atIndex.text, want) ? atIndex : undefined;
    if (!match && want) {
      let best = Infinity;
      users.forEach((u, i) => {
        const distance = Math.abs(i - cp.beforeUserMessage);
        if (samePrompt(u.text, want) && distance < best && !byItem.has(u.id)) {
          best = distance;
          match = u;
        }
      });
    }
    match ??= atIndex;
    if (match && !byItem.has(match.id)) byItem.set(match.id, cp);
  }
  return byItem;
}

function isCommand(item: UserItem): boolean {
  return !item.steered && /^\/[\w:-]+(\s|$)/.test(item.text);
}

/** The message's first line is the checkpoint's (which may be cut short, with an ellipsis). */
function samePrompt(text: string, want: string): boolean {
  const line = firstLine(text);
  const stem = want.replace(/(…|\.\.\.)$/, '');
  return line === want || (stem.length > 0 && line.startsWith(stem));
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]!.trim();
}
