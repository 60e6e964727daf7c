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

/** Characters of a command's output the client is sent to display (live and at the end). */
export const DISPLAY_MAX_CHARS = 64 * 1024;

/**
 * The client's view of long output: its last lines within `maxChars`, starting on a line boundary
 * when there is one. Display only: what the model reads is cut by the tool runner, once.
 */
export function tailForDisplay(text: string, maxChars = DISPLAY_MAX_CHARS): string {
  if (text.length <= maxChars) return text;
  let start = text.length - maxChars;
  const newline = text.indexOf('\n', start);
  if (newline !== -1 && newline < text.length - 1) start = newline + 1;
  // Never start on the second half of a surrogate pair.
  else if (text.charCodeAt(start) >= 0xdc00 && text.charCodeAt(start) <= 0xdfff) start++;
  let earlierLines = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < start; i = text.indexOf('\n', i + 1)) earlierLines++;
  return `… ${earlierLines.toLocaleString('en-US')} earlier lines not shown here\n${text.slice(start)}`;
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
