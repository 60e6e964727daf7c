import * as path from 'node:path';
import { skipOptions, type Findings, type Word } from './risk.js';

/*
 * Programs that run another program (`env`, `sudo`, `nice`, `timeout`, `xargs`, ...): peeled off
 * so the classifier judges what really runs. Command strings they run (`su -c`, `env -S`,
 * `watch`, `eval`) are handed back to the classifier through the hooks.
 */

const PRIVILEGE = new Set(['sudo', 'doas', 'pkexec', 'su', 'run0', 'sudoedit']);
/**
 * Wrappers whose options are too many to model: every word that could be the start of the
 * command is checked as one, so a misread option value cannot hide the real program.
 */
const LOOSE_WRAPPERS = new Set([
  'strace',
  'ltrace',
  'valgrind',
  'fakeroot',
  'xvfb-run',
  'dbus-run-session',
  'proxychains',
  'proxychains4',
  'torsocks',
  'catchsegv',
  'unshare',
  'setpriv',
  'runuser',
  'chroot',
  'nsenter',
  'firejail',
  'caffeinate',
  'chronic',
  'ts',
  'sem',
]);
/** Hand a command to a daemon that runs it later, outside the sandbox. */
const SCHEDULERS = new Set(['crontab', 'at', 'batch', 'systemd-run', 'launchctl']);
/** `npm exec`, `npx`, `pnpm dlx`, ...: the words after the options are the command. */
const PACKAGE_RUNNERS = new Set(['npx', 'bunx', 'pnpx']);
const PACKAGE_MANAGERS = new Set(['npm', 'pnpm', 'yarn', 'bun']);
const PACKAGE_EXEC = new Set(['exec', 'x', 'dlx']);

export interface WrapperHooks {
  findings: Findings;
  /** A command string another shell will run; `via` names how, for the reason shown. */
  nested(word: Word, via: string): void;
  /** A literal script to classify (eval's joined arguments). */
  script(text: string): void;
  /** A command (program and arguments) to classify as if typed. */
  command(words: Word[]): void;
  /** `env NAME=value`: an environment variable given to the program. */
  assignment(name: string, value: Word): void;
}

const word = (text: string): Word => ({ text, dynamic: false, glob: false });

/** Every operand position could be where the command starts. */
function checkEveryStart(words: Word[], hooks: WrapperHooks): void {
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w.dynamic) {
      hooks.findings.flag('dangerous', 'A wrapper runs a program computed at run time.');
      return;
    }
    if (!w.text.startsWith('-')) hooks.command(words.slice(i));
  }
}

/** The string `xargs -I` replaces, if any (`-i` and bare `--replace` mean `{}`). */
function replaceString(args: Word[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const t = args[i]!.text;
    if (t === '-I') return args[i + 1]?.text ?? '{}';
    if (t.startsWith('-I')) return t.slice(2);
    if (t === '-i' || t === '--replace') return '{}';
    if (t.startsWith('--replace=')) return t.slice('--replace='.length);
    if (t.startsWith('-i')) return t.slice(2);
  }
  return undefined;
}

/** `npx [options] cmd args`, `npx -c 'cmd'`, `npm exec -- cmd`. */
function packageRunner(rest: Word[], hooks: WrapperHooks): Word[] {
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i]!;
    if (w.dynamic) return rest.slice(i);
    if (w.text === '-c' || w.text === '--call' || w.text === '--shell-mode') {
      if (rest[i + 1]) hooks.nested(rest[i + 1]!, 'npm exec -c');
      else hooks.findings.flag('dangerous', 'npm exec -c with no command.');
      return [];
    }
    if (w.text.startsWith('--call=')) {
      hooks.nested({ ...w, text: w.text.slice('--call='.length) }, 'npm exec --call');
      return [];
    }
    if (w.text === '--') return rest.slice(i + 1);
    if (['-p', '--package', '-w', '--workspace', '--filter', '-C', '--dir'].includes(w.text)) i++;
    else if (!w.text.startsWith('-')) return rest.slice(i);
  }
  return [];
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
    if (LOOSE_WRAPPERS.has(name)) {
      checkEveryStart(rest, hooks);
      return [];
    }
    if (SCHEDULERS.has(name)) {
      if (!rest.some((w) => w.text === '-l' || w.text === '--list'))
        hooks.findings.flag('dangerous', `${name} schedules a command that runs later, outside the sandbox.`);
      return [];
    }
    if (PACKAGE_RUNNERS.has(name)) {
      words = packageRunner(rest, hooks);
      continue;
    }
    if (PACKAGE_MANAGERS.has(name) && rest[0]?.text === 'pkg' && rest[1]?.text === 'set') {
      // `npm pkg set scripts.test='...'`: a command `npm test` runs later.
      for (const w of rest.slice(2)) {
        const m = /^scripts\.[^=]+=(.*)$/s.exec(w.text);
        if (m) hooks.nested({ ...w, text: m[1]! }, 'npm pkg set scripts');
      }
      return [];
    }
    if (PACKAGE_MANAGERS.has(name) && rest[0]?.text === 'set-script' && rest[2]) {
      hooks.nested(rest[2], 'npm set-script');
      return [];
    }
    if (PACKAGE_MANAGERS.has(name) && rest[0] && PACKAGE_EXEC.has(rest[0].text)) {
      words = packageRunner(rest.slice(1), hooks);
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
          } else if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w.text)) {
            const eq = w.text.indexOf('=');
            hooks.assignment(w.text.slice(0, eq), { ...w, text: w.text.slice(eq + 1) });
            i++;
          } else if (w.text.startsWith('-')) i++;
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
      case 'watch': {
        // watch joins its arguments and hands them to `sh -c`, unless -x/--exec.
        const exec = rest.some((w) => w.text === '-x' || w.text === '--exec' || /^-[a-zA-Z]*x/.test(w.text));
        words = skipOptions(rest, new Set(['-n', '--interval']));
        if (exec) continue;
        if (words.some((w) => w.dynamic))
          hooks.findings.flag('dangerous', 'watch runs a command computed at run time.');
        else if (words.length) hooks.script(words.map((w) => w.text).join(' '));
        return [];
      }
      case 'script': {
        const c = rest.findIndex((w) => w.text === '--command' || /^-[a-zA-Z]*c$/.test(w.text));
        if (c >= 0) {
          if (rest[c + 1]) hooks.nested(rest[c + 1]!, 'script -c');
          return [];
        }
        const attached = rest.find((w) => w.text.startsWith('--command='));
        if (attached)
          hooks.nested({ ...attached, text: attached.text.slice('--command='.length) }, 'script -c');
        return [];
      }
      case 'alias':
        // The body runs wherever the alias is used.
        for (const w of rest) {
          const eq = w.text.indexOf('=');
          if (eq > 0) hooks.nested({ ...w, text: w.text.slice(eq + 1) }, 'alias');
          else if (w.dynamic) hooks.findings.flag('dangerous', 'Defines an alias computed at run time.');
        }
        return [];
      case 'trap': {
        // `trap 'cmd' EXIT`: the action runs when the signal or exit comes.
        const ops = skipOptions(rest, new Set());
        if (rest.some((w) => w.text === '-l' || w.text === '-p') || ops.length < 2) return [];
        hooks.nested(ops[0]!, 'trap');
        return [];
      }
      case 'flock':
        words = skipOptions(rest, new Set(['-w', '-E', '--timeout', '--conflict-exit-code'])).slice(1);
        if (words[0]?.text === '-c' && words[1]) {
          hooks.nested(words[1], 'flock -c');
          return [];
        }
        continue;
      case 'xargs': {
        const replace = replaceString(rest);
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
        if (!words.length) words = [word('echo')];
        // xargs appends what it reads to the command (`xargs sh -c` gets its script from input),
        // or with -I puts it wherever the replace string appears.
        if (replace === undefined) words = [...words, { text: '', dynamic: true, glob: false }];
        else words = words.map((w) => (w.text.includes(replace) ? { ...w, dynamic: true } : w));
        continue;
      }
      case 'parallel': {
        // GNU parallel runs its command through the shell, with its inputs filled in.
        hooks.findings.flag('dangerous', 'parallel fills in the command it runs at run time.');
        const cmd = rest.filter((w) => !w.dynamic && !w.text.startsWith('-'));
        const end = cmd.findIndex((w) => /^:::+$/.test(w.text));
        hooks.script((end < 0 ? cmd : cmd.slice(0, end)).map((w) => w.text).join(' '));
        return [];
      }
      case 'tmux':
      case 'screen':
        // Their arguments include shell commands (`new-session 'cmd'`, `send-keys 'cmd' Enter`).
        for (const w of rest) {
          if (w.dynamic) hooks.findings.flag('dangerous', `${name} runs a command computed at run time.`);
          else if (!w.text.startsWith('-')) hooks.script(w.text);
        }
        return [];
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
