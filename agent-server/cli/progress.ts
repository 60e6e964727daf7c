import type * as acp from '@agentclientprotocol/sdk';

/**
 * Signs of life for `cairn run` while nothing else is printed: what is happening and for how
 * long ("waiting for the model… 4 s", "running npm test… 12 s", a retry notice), with the last
 * lines of a running command. On a terminal it is a spinner redrawn in place below the output;
 * elsewhere (a pipe, a log file) a plain line now and then.
 */

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** Lines of a running command's output shown under the spinner. */
const TAIL_LINES = 3;
/** Without a terminal: first report after this long, then every REPEAT_MS. */
const FIRST_PLAIN_REPORT_MS = 5_000;
const REPEAT_PLAIN_REPORT_MS = 15_000;

export interface ProgressOptions {
  /** Where progress goes (stderr): never mixed into the answer on stdout. */
  write: (s: string) => void;
  /** Redraw in place (a terminal) or print plain lines. */
  tty: boolean;
  columns: () => number;
  /** Whether the terminal's cursor is at the start of a line (nothing half-printed to redraw over). */
  atLineStart: () => boolean;
  now?: () => number;
  dim?: (s: string) => string;
}

interface Activity {
  label: string;
  since: number;
  /** For plain reports: when this activity was last reported. */
  reportedAt?: number;
}

export class ProgressIndicator {
  private activity: Activity | undefined;
  private tail: string[] = [];
  private drawnLines = 0;
  private frame = 0;
  private paused = false;
  private readonly calls = new Map<string, { title: string; kind?: string | null }>();
  private readonly now: () => number;
  private readonly dim: (s: string) => string;

  constructor(private readonly opts: ProgressOptions) {
    this.now = opts.now ?? Date.now;
    this.dim = opts.dim ?? ((s) => s);
  }

  /** What is happening now; the clock restarts when the label changes. */
  setActivity(label: string | undefined): void {
    if (label === this.activity?.label) return;
    this.activity = label === undefined ? undefined : { label, since: this.now() };
    this.tail = [];
  }

  /** Follows the session's updates to know what is being waited for. */
  observe(update: acp.SessionUpdate): void {
    switch (update.sessionUpdate) {
      case 'agent_message_chunk':
      case 'agent_thought_chunk':
        // Streaming text is its own sign of life.
        this.setActivity(undefined);
        return;
      case 'tool_call':
        this.calls.set(update.toolCallId, { title: update.title, kind: update.kind });
        this.setActivity(undefined);
        return;
      case 'tool_call_update': {
        const call = this.calls.get(update.toolCallId) ?? { title: update.title ?? 'a tool' };
        if (update.title) call.title = update.title;
        this.calls.set(update.toolCallId, call);
        if (update.status === 'completed' || update.status === 'failed') {
          this.setActivity('waiting for the model');
          return;
        }
        if (update.status === 'in_progress')
          this.setActivity(call.kind === 'execute' ? `running ${call.title}` : call.title);
        const text = update.content?.flatMap((c) =>
          c.type === 'content' && c.content.type === 'text' ? [c.content.text] : [],
        );
        if (text?.length && this.activity) this.tail = lastLines(text.join('\n'), TAIL_LINES);
        return;
      }
      case 'notice':
        // A retry says what the wait is now about.
        if (this.activity?.label.startsWith('waiting for the model') || /retrying/.test(update.title))
          this.setActivity(update.title);
        return;
      default:
        return;
    }
  }

  /** Stops drawing (an approval prompt owns the terminal) until `resume`. */
  pause(): void {
    this.clear();
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  /** Call before anything else is written, so output never lands inside the spinner. */
  clear(): void {
    if (!this.opts.tty || this.drawnLines === 0) return;
    this.opts.write('\r\x1b[2K' + '\x1b[1A\x1b[2K'.repeat(this.drawnLines - 1));
    this.drawnLines = 0;
  }

  /** Called on a timer: redraws the spinner, or prints a plain report when one is due. */
  tick(): void {
    const activity = this.activity;
    if (this.paused || !activity) return this.clear();
    const elapsed = this.now() - activity.since;
    const status = `${activity.label}… ${Math.floor(elapsed / 1000)} s`;
    if (!this.opts.tty) {
      const due = activity.reportedAt === undefined ? FIRST_PLAIN_REPORT_MS : REPEAT_PLAIN_REPORT_MS;
      if (this.now() - (activity.reportedAt ?? activity.since) < due) return;
      activity.reportedAt = this.now();
      this.opts.write(`cairn: ${status}\n`);
      return;
    }
    if (this.drawnLines === 0 && !this.opts.atLineStart()) return;
    this.clear();
    const width = Math.max(20, this.opts.columns() - 1);
    const fit = (s: string) => (s.length > width ? s.slice(0, width - 1) + '…' : s);
    this.frame = (this.frame + 1) % FRAMES.length;
    const lines = [
      ...this.tail.map((l) => this.dim(fit(`  │ ${l}`))),
      fit(`${FRAMES[this.frame]} ${status}`),
    ];
    this.opts.write(lines.join('\n'));
    this.drawnLines = lines.length;
  }
}

/** The last `n` non-blank lines of command output, without the Markdown fences around it. */
export function lastLines(text: string, n: number): string[] {
  return text
    .split('\n')
    .map((l) =>
      l
        .replace(/\x1b\[[0-9;]*[A-Za-z]/g, '')
        .replace(/\t/g, '  ')
        .trimEnd(),
    )
    .filter((l) => l.trim() && !/^```\w*$/.test(l))
    .slice(-n);
}
