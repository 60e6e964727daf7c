// A command's output as a terminal block: monospace text without Markdown
// fences, the exit code as a badge (non-zero in the error colour), and the
// last lines alone for the collapsed card of the most recent command.
import type { ToolCallContent } from '@agentclientprotocol/sdk';
import { h } from '../dom.js';
import type { TerminalOutput } from '../state/chat-state.js';
import { blockText } from '../state/chat-state.js';

export type CommandRun = {
  output: string;
  /** Null while running, or when the command ended by a signal / was stopped. */
  exitCode: number | null;
  signal: string | null;
  /** What the agent said about the end beyond the code ("… means no lines matched"), if anything. */
  note: string | null;
  truncated: boolean;
  /** The agent has not reported how it ended yet. */
  running: boolean;
};

// Cairn's terminal tool sends "```\n<output>\n```\n<outcome>"; other agents may tag the fence.
const FENCED = /^\s*(`{3,})[\w-]*\n([\s\S]*?)\n?\1[ \t]*(?:\n([\s\S]*))?$/;
const EXIT_LINE = /^Exit code: (?:(-?\d+)|none \(signal ([^)]*)\))\.?\s*([\s\S]*)$/;

/** Reads a fenced command output ("```…```" then "Exit code: N…"); null when the text is not one. */
export function parseFencedOutput(text: string): CommandRun | null {
  const match = FENCED.exec(text);
  if (!match) return null;
  const output = match[2] ?? '';
  const outcome = (match[3] ?? '').trim();
  if (!outcome) return { output, exitCode: null, signal: null, note: null, truncated: false, running: true };
  const exit = EXIT_LINE.exec(outcome);
  if (!exit) return { output, exitCode: null, signal: null, note: outcome, truncated: false, running: false };
  return {
    output,
    exitCode: exit[1] !== undefined ? Number(exit[1]) : null,
    signal: exit[2] ?? null,
    note: exit[3]?.trim() || null,
    truncated: false,
    running: false,
  };
}

/** The command run a card shows: a client terminal's live output, or the agent's fenced text. */
export function commandRunOf(
  content: readonly ToolCallContent[],
  terminal: (terminalId: string) => TerminalOutput | undefined,
): CommandRun | null {
  for (const c of content) {
    if (c.type === 'terminal') {
      const t = terminal(c.terminalId);
      return {
        output: t?.output ?? '',
        exitCode: t?.exitStatus?.exitCode ?? null,
        signal: t?.exitStatus?.signal ?? null,
        note: null,
        truncated: t?.truncated ?? false,
        running: !t?.exitStatus,
      };
    }
    if (c.type === 'content' && c.content.type === 'text') {
      const run = parseFencedOutput(blockText(c.content));
      if (run) return run;
    }
  }
  return null;
}

/** "exit 0" (quiet), "exit 2" / "SIGTERM" (error colour), or nothing while it runs. */
export function exitBadge(run: CommandRun): HTMLElement | null {
  if (run.exitCode === null && !run.signal) return null;
  const ok = run.exitCode === 0;
  const text = run.exitCode !== null ? `exit ${run.exitCode}` : (run.signal ?? 'killed');
  return h('span', {
    className: `exit-badge ${ok ? 'exit-ok' : 'exit-error'}`,
    text,
    attrs: {
      title: run.exitCode !== null ? `Exit code ${run.exitCode}` : `Stopped by ${run.signal}`,
    },
  });
}

/** The last `count` lines of the output (trailing blank lines dropped). */
export function lastLines(output: string, count: number): string {
  const lines = output.replace(/\n+$/, '').split('\n');
  return lines.slice(-count).join('\n');
}

/** The whole output (clipped by the caller), then the agent's note on how it ended. */
export function renderTerminalBlock(run: CommandRun, clip: (text: string) => string): HTMLElement {
  return h('div', { className: 'terminal-block' }, [
    h('pre', {
      className: 'terminal-output',
      text: clip(run.output) || (run.running ? 'Waiting for output…' : '(no output)'),
      attrs: { 'aria-label': 'Command output', tabindex: 0 },
    }),
    run.truncated && h('div', { className: 'muted', text: 'Output truncated.' }),
    run.note && h('div', { className: 'terminal-note muted', text: run.note }),
  ]);
}

/** The tail shown on the collapsed card of the most recent command. */
export function renderTerminalPreview(run: CommandRun, lines: number): HTMLElement | null {
  const tail = lastLines(run.output, lines);
  if (!tail.trim()) return null;
  return h('pre', {
    className: 'terminal-output terminal-preview',
    text: tail,
    attrs: { 'aria-label': `Last lines of the command output` },
  });
}
