import * as path from 'node:path';
import { skipOptions, type Findings, type Word } from './risk.js';

/*
 * Programs that run another program (`env`, `sudo`, `nice`, `timeout`, `xargs`, ...): peeled off
 * so the classifier judges what really runs. Command strings they run (`su -c`, `env -S`,
 * `watch`, `eval`) are handed back to the classifier through the hooks.
 */

const PRIVILEGE = new Set(['sudo', 'doas', 'pkexec', 'su', 'run0', 'sudoedit']);

export interface WrapperHooks {
  findings: Findings;
  /** A command string another shell will run; `via` names how, for the reason shown. */
  nested(word: Word, via: string): void;
  /** A literal script to classify (eval's joined arguments). */
  script(text: string): void;
}

/** Strips env prefixes and wrappers (`env`, `sudo`, `nice`, `xargs`, ...) to find the real program. */
export function unwrapCommand(words: Word[], hooks: WrapperHooks): Word[] {
  for (let guard = 0; guard < 20 && words.length; guard++) {
    const head = words[0]!;
    if (head.dynamic) return words;
    const name = path.basename(head.text);
    const rest = words.slice(1);
    if (PRIVILEGE.has(name)) {
      hooks.findings.flag('dangerous', `Runs with elevated privileges (${name}).`);
      if (name === 'su') {
        const c = rest.findIndex((w) => w.text === '-c' || w.text === '--command');
        if (c >= 0 && rest[c + 1]) hooks.nested(rest[c + 1]!, 'su -c');
        return [];
      }
      words = skipOptions(
        rest,
        new Set([
          '-u',
          '-g',
          '-h',
          '-p',
          '-C',
          '-r',
          '-t',
          '-U',
          '-D',
          '-R',
          '--user',
          '--group',
          '--host',
          '--prompt',
          '--chdir',
        ]),
      );
      continue;
    }
    switch (name) {
      case 'env': {
        let i = 0;
        while (i < rest.length) {
          const w = rest[i]!;
          if (w.text === '-S' || w.text === '--split-string') {
            if (rest[i + 1]) hooks.nested(rest[i + 1]!, 'env -S');
            return [];
          }
          if (w.text.startsWith('-S') && w.text.length > 2) {
            hooks.nested({ ...w, text: w.text.slice(2) }, 'env -S');
            return [];
          }
          if (w.text === '-u' || w.text === '-C' || w.text === '--unset' || w.text === '--chdir') i += 2;
          else if (w.text === '--') {
            i++;
            break;
          } else if (w.text.startsWith('-') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(w.text)) i++;
          else break;
        }
        words = rest.slice(i);
        continue;
      }
      case 'command':
        if (rest.some((w) => w.text === '-v' || w.text === '-V')) return [];
        words = skipOptions(rest, new Set());
        continue;
      case 'builtin':
      case 'nohup':
      case 'busybox':
        words = rest;
        continue;
      case 'exec':
        words = skipOptions(rest, new Set(['-a']));
        continue;
      case 'time':
        words = skipOptions(rest, new Set(['-f', '-o', '--format', '--output']));
        continue;
      case 'nice':
        words = skipOptions(rest, new Set(['-n', '--adjustment']), /^-\d+$/);
        continue;
      case 'ionice':
        words = skipOptions(rest, new Set(['-c', '-n', '-p', '-P', '-u', '--class', '--classdata']));
        continue;
      case 'stdbuf':
      case 'setsid':
      case 'unbuffer':
        words = skipOptions(rest, new Set(['-i', '-o', '-e']));
        continue;
      case 'chrt':
      case 'taskset':
      case 'timeout': {
        const opts =
          name === 'timeout' ? new Set(['-s', '-k', '--signal', '--kill-after']) : new Set<string>();
        const after = skipOptions(rest, opts);
        words = after.slice(1); // the duration, CPU mask or priority
        continue;
      }
      case 'watch':
        words = skipOptions(rest, new Set(['-n', '-d', '--interval']));
        if (words.length === 1) {
          hooks.nested(words[0]!, 'watch');
          return [];
        }
        continue;
      case 'flock':
        words = skipOptions(rest, new Set(['-w', '-E', '--timeout', '--conflict-exit-code'])).slice(1);
        if (words[0]?.text === '-c' && words[1]) {
          hooks.nested(words[1], 'flock -c');
          return [];
        }
        continue;
      case 'xargs':
        words = skipOptions(
          rest,
          new Set([
            '-n',
            '-L',
            '-I',
            '-d',
            '-P',
            '-s',
            '-E',
            '-a',
            '--max-args',
            '--max-lines',
            '--delimiter',
            '--max-procs',
            '--arg-file',
            '--replace',
          ]),
        );
        if (!words.length) words = [{ text: 'echo', dynamic: false, glob: false }];
        continue;
      case 'eval': {
        const joined = rest.some((w) => w.dynamic) ? undefined : rest.map((w) => w.text).join(' ');
        if (joined === undefined)
          hooks.findings.flag('dangerous', 'Evaluates a command computed at run time.');
        else hooks.script(joined);
        return [];
      }
    }
    return words;
  }
  return words;
}
