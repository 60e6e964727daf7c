import { stripVTControlCharacters } from 'node:util';

/** Terminal output as the model should read it: no colour codes, no carriage-return redraws. */
export function cleanOutput(raw: string): string {
  const noAnsi = stripVTControlCharacters(raw);
  // Progress bars redraw a line with `\r`; keep only what the line finally showed.
  return noAnsi
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) => {
      const cut = line.lastIndexOf('\r', line.length - 2);
      return (cut >= 0 ? line.slice(cut + 1) : line).replace(/\r$/, '');
    })
    .join('\n');
}

export interface TruncatedText {
  text: string;
  truncated: boolean;
  /** Bytes dropped from the middle. */
  omittedBytes: number;
}

/** Slice a UTF-8 buffer without cutting a character in half. */
function utf8Slice(buf: Buffer, start: number, end: number): string {
  while (start > 0 && start < buf.length && (buf[start]! & 0xc0) === 0x80) start++;
  while (end > 0 && end < buf.length && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.subarray(start, Math.max(start, end)).toString('utf8');
}

/**
 * Keeps the first and last parts of long output (errors usually sit at the end, context at the
 * start) and says how much was cut, so the model knows to narrow the command.
 */
export function truncateHeadTail(text: string, maxBytes: number): TruncatedText {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= maxBytes) return { text, truncated: false, omittedBytes: 0 };
  const headBytes = Math.floor(maxBytes * 0.4);
  const tailBytes = maxBytes - headBytes;
  const head = utf8Slice(buf, 0, headBytes);
  const tail = utf8Slice(buf, buf.length - tailBytes, buf.length);
  const omitted = buf.length - Buffer.byteLength(head) - Buffer.byteLength(tail);
  const note =
    `\n\n[... ${omitted} bytes of output omitted (${buf.length} bytes in total). ` +
    'Re-run with a narrower command (grep, head, tail, or redirect to a file and read parts of it) to see more ...]\n\n';
  return { text: head + note + tail, truncated: true, omittedBytes: omitted };
}

/** The program a command line ends up running, for explaining its exit code. */
function lastProgram(command: string): string | undefined {
  const segments = command.split(/\|\||&&|;|\|/);
  const words = (segments[segments.length - 1] ?? '').trim().split(/\s+/);
  const word = words.find((w) => w && !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w));
  return word?.split('/').pop();
}

/**
 * One line for common exit codes that are not failures, so the model does not "fix" a grep
 * that merely found nothing. Returns undefined when the code means a plain error.
 */
export function explainExitCode(
  command: string,
  exitCode: number | null,
  signal?: string,
): string | undefined {
  if (exitCode === null) return signal ? `Killed by signal ${signal}.` : undefined;
  if (exitCode === 0) return undefined;
  const program = lastProgram(command);
  if (exitCode === 1) {
    switch (program) {
      case 'grep':
      case 'egrep':
      case 'fgrep':
      case 'rg':
      case 'ag':
      case 'git-grep':
        return 'Exit code 1 from grep means no lines matched (not an error).';
      case 'diff':
      case 'cmp':
        return 'Exit code 1 from diff/cmp means the files differ (not an error).';
      case 'test':
      case '[':
      case '[[':
        return 'Exit code 1 from test means the condition is false.';
      case 'find':
        return 'Exit code 1 from find usually means some paths could not be read.';
    }
    if (/^git\s+diff\b.*--(quiet|exit-code)/.test(command.trim()))
      return 'git diff exit 1 means there are differences.';
  }
  if (exitCode === 124 && program === 'timeout')
    return 'Exit code 124 means the `timeout` command stopped it.';
  if (exitCode === 126) return 'Exit code 126: the command was found but is not executable (permissions?).';
  if (exitCode === 127) return 'Exit code 127: command not found (is it installed and on PATH?).';
  if (exitCode === 130) return 'Exit code 130: interrupted (SIGINT).';
  if (exitCode === 137) return 'Exit code 137: killed (SIGKILL), possibly out of memory.';
  if (exitCode === 141)
    return 'Exit code 141: SIGPIPE, the reader of a pipe closed early (usually harmless with head).';
  if (exitCode === 143) return 'Exit code 143: terminated (SIGTERM).';
  return undefined;
}
