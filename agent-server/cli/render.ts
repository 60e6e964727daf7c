import type * as acp from '@agentclientprotocol/sdk';
import { structuredPatch } from 'diff';
import { outcomeText, readToolOutcome, type ToolCallOutcome } from '../../shared/tool-outcome.js';

/** Prints `session/update`s the way an editor would show them, for a terminal. */

const tty = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: string) => (s: string) => (tty ? `\x1b[${code}m${s}\x1b[0m` : s);
export const dim = paint('2');
export const bold = paint('1');
export const red = paint('31');
export const green = paint('32');
export const yellow = paint('33');
export const cyan = paint('36');

const OUTCOME_MARK: Record<ToolCallOutcome, string> = {
  completed: green('✓'),
  failed: red('✗'),
  rejected: yellow('⊘'),
  cancelled: yellow('⊘'),
};
const PLAN_MARK: Record<string, string> = {
  completed: green('[x]'),
  in_progress: yellow('[~]'),
  pending: '[ ]',
};

export function renderDiff(
  diff: { path: string; oldText?: string | null; newText: string },
  cwd: string,
): string {
  const rel = diff.path.startsWith(cwd + '/') ? diff.path.slice(cwd.length + 1) : diff.path;
  const patch = structuredPatch(rel, rel, diff.oldText ?? '', diff.newText, '', '', { context: 2 });
  const lines = [dim(`  ┌ ${diff.oldText == null ? 'new file ' : ''}${rel}`)];
  for (const hunk of patch.hunks) {
    lines.push(dim(`  │ @@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`));
    for (const l of hunk.lines) {
      const body = `  │ ${l}`;
      lines.push(l.startsWith('+') ? green(body) : l.startsWith('-') ? red(body) : dim(body));
    }
  }
  return lines.join('\n');
}

function toolContentText(
  content: acp.ToolCallContent[] | null | undefined,
  cwd: string,
  opts: { diffs: boolean; skipText?: string },
): string[] {
  const out: string[] = [];
  for (const c of content ?? []) {
    if (c.type === 'diff') {
      if (opts.diffs) out.push(renderDiff(c, cwd));
    } else if (c.type === 'content' && c.content.type === 'text') {
      if (c.content.text === opts.skipText) continue;
      const lines = c.content.text
        .trimEnd()
        .split('\n')
        .filter((l) => !/^```\w*$/.test(l));
      const shown =
        // The end of command output (results, summaries) matters most.
        lines.length > 12
          ? [...lines.slice(0, 3), `… ${lines.length - 11} more lines`, ...lines.slice(-8)]
          : lines;
      out.push(shown.map((l) => dim(`  │ ${l}`)).join('\n'));
    }
  }
  return out;
}

/** Stateful renderer: streams text, shows each tool call once with its final status. */
export class UpdateRenderer {
  private atLineStart = true;
  private inThought = false;
  private readonly titles = new Map<string, string>();

  constructor(
    private readonly write: (s: string) => void,
    private readonly cwd: string,
  ) {}

  private line(s: string): void {
    if (!this.atLineStart) this.write('\n');
    this.write(s + '\n');
    this.atLineStart = true;
  }

  render(update: acp.SessionUpdate): void {
    switch (update.sessionUpdate) {
      case 'agent_message_chunk':
      case 'agent_thought_chunk': {
        if (update.content.type !== 'text') return;
        const thought = update.sessionUpdate === 'agent_thought_chunk';
        if (thought !== this.inThought) {
          if (!this.atLineStart) this.write('\n');
          this.atLineStart = true;
          this.inThought = thought;
          if (thought) this.write(dim('thinking: '));
        }
        const text = update.content.text;
        this.write(thought ? dim(text) : text);
        this.atLineStart = text.endsWith('\n');
        return;
      }
      case 'tool_call':
        this.inThought = false;
        this.titles.set(update.toolCallId, update.title);
        return;
      case 'tool_call_update': {
        const title = update.title ?? this.titles.get(update.toolCallId) ?? update.toolCallId;
        if (update.title) this.titles.set(update.toolCallId, update.title);
        const ended = readToolOutcome(update);
        if (!ended) return;
        if (ended.outcome === 'completed') {
          this.line(`${OUTCOME_MARK.completed} ${bold(title)}`);
          for (const block of toolContentText(update.content, this.cwd, { diffs: true })) this.line(block);
          return;
        }
        // What did not happen is said on the call's line, and its diff is never shown.
        const said = outcomeText(ended.outcome, ended.reason);
        const paint = ended.outcome === 'failed' ? red : yellow;
        this.line(`${OUTCOME_MARK[ended.outcome]} ${bold(title)} ${paint(`— ${said}`)}`);
        const rest = toolContentText(update.content, this.cwd, { diffs: false, skipText: said });
        for (const block of rest) this.line(block);
        return;
      }
      case 'plan':
        this.line(cyan('Plan'));
        for (const e of update.entries) this.line(`  ${PLAN_MARK[e.status] ?? '[ ]'} ${e.content}`);
        return;
      case 'notice':
        this.line(yellow(`! ${update.title}`));
        return;
      default:
        return;
    }
  }

  finish(): void {
    if (!this.atLineStart) this.write('\n');
    this.atLineStart = true;
  }
}
