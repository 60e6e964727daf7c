/** Characters of output kept per terminal (the newest). */
export const KEPT_TERMINAL_CHARS = 64 * 1024;

// CSI / OSC sequences and other escapes, so the model reads text, not colour codes.
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

export function stripEscapes(text: string): string {
  return text.replace(ESCAPES, '').replace(/\r\n/g, '\n').replace(/\r/g, '');
}

/**
 * The recent output of each terminal, as shell integration reports it: each command line and
 * what it printed, newest kept, oldest dropped past `KEPT_TERMINAL_CHARS`.
 */
export class TerminalOutputRecorder<Key extends object> {
  private readonly output = new WeakMap<Key, string>();

  commandStarted(terminal: Key, commandLine: string): void {
    this.append(terminal, `$ ${commandLine}\n`);
  }

  data(terminal: Key, chunk: string): void {
    this.append(terminal, stripEscapes(chunk));
  }

  commandEnded(terminal: Key, exitCode: number | undefined): void {
    const current = this.output.get(terminal) ?? '';
    const sep = current.endsWith('\n') || current === '' ? '' : '\n';
    this.append(terminal, `${sep}[exit code ${exitCode ?? 'unknown'}]\n`);
  }

  recent(terminal: Key): string | undefined {
    return this.output.get(terminal);
  }

  private append(terminal: Key, text: string): void {
    const next = (this.output.get(terminal) ?? '') + text;
    this.output.set(terminal, next.length > KEPT_TERMINAL_CHARS ? next.slice(-KEPT_TERMINAL_CHARS) : next);
  }
}
