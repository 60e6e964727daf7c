import * as path from 'node:path';
import type { Word } from './risk.js';

/**
 * Code handed to an interpreter on its command line (`python -c`, `node -e`, `perl -e`,
 * `awk 'BEGIN{system(...)}'`, `sed 's/x/y/e'`). The classifier cannot follow another language,
 * so it looks for what matters: running other programs, computing code at run time, recursive
 * deletes, links and renames, signals. Code that does none of these (printing, parsing JSON)
 * stays ordinary; the string literals of code that runs programs are checked as shell commands.
 */
export interface InlineCode {
  language: string;
  code: Word;
}

const PYTHONS = /^(python[0-9.]*|pypy[0-9.]*)$/;
const JS = new Set(['node', 'nodejs', 'bun']);

/** The inline programs in an interpreter's arguments (empty when it runs a file or nothing). */
export function inlineCode(name: string, args: Word[]): InlineCode[] {
  if (PYTHONS.test(name)) return codeOptions(name, args, /^-[a-bd-zA-Z]*c$/, /^-[a-bd-zA-Z]*c(.+)$/s, ['-m']);
  if (JS.has(name))
    return codeOptions(name, args, /^(-[a-zA-Z]*[ep]|--eval|--print)$/, /^--(?:eval|print)=(.*)$/s, []);
  if (name === 'deno') {
    const i = args.findIndex((w) => w.text === 'eval');
    return i >= 0 && args[i + 1] ? [{ language: name, code: args[i + 1]! }] : [];
  }
  if (name === 'perl' || name === 'ruby' || name === 'lua' || name === 'luajit')
    return codeOptions(name, args, /^-(?![MmIr])[a-zA-Z0-9]*[eE]$/, /^-(?![MmIr])[a-zA-Z0-9]*[eE](.+)$/s, []);
  if (name === 'php') return codeOptions(name, args, /^-r$/, /^-r(.+)$/s, []);
  if (/^(g|m|n|busybox-)?awk$/.test(name)) return awkCode(name, args);
  if (name === 'sed' || name === 'gsed') return sedCode(name, args);
  return [];
}

/**
 * `-c CODE` style options, looked for in every argument (a stray match in a script's own
 * arguments only makes the classifier more careful). A computed argument before the script
 * file may itself be `-c`, so it counts as computed code.
 */
function codeOptions(
  language: string,
  args: Word[],
  takesNext: RegExp,
  attached: RegExp,
  stop: string[],
): InlineCode[] {
  const out: InlineCode[] = [];
  let sawScript = false;
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    if (w.dynamic) {
      if (!sawScript) return [{ language, code: w }];
      continue;
    }
    if (w.text === '--' || stop.includes(w.text)) break;
    if (takesNext.test(w.text)) {
      const code = args[++i];
      if (code) out.push({ language, code });
      continue;
    }
    const m = attached.exec(w.text);
    if (m) out.push({ language, code: { ...w, text: m[1]! } });
    else if (!w.text.startsWith('-')) sawScript = true;
  }
  return out;
}

const AWK_VALUE_OPTIONS = new Set(['-F', '-v', '-f', '-i', '-l', '--field-separator', '--assign', '--file']);

function awkCode(language: string, args: Word[]): InlineCode[] {
  const out: InlineCode[] = [];
  let fromFile = false;
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    if (w.dynamic) return [{ language, code: w }];
    if (w.text === '-e' || w.text === '--source') {
      if (args[i + 1]) out.push({ language, code: args[++i]! });
      continue;
    }
    if (w.text === '-f' || w.text === '--file') fromFile = true;
    if (AWK_VALUE_OPTIONS.has(w.text)) {
      i++;
      continue;
    }
    if (w.text === '--') {
      if (!fromFile && !out.length && args[i + 1]) out.push({ language, code: args[i + 1]! });
      break;
    }
    if (w.text.startsWith('-') && w.text !== '-') continue;
    if (!fromFile && !out.length) out.push({ language, code: w });
    break;
  }
  return out;
}

function sedCode(language: string, args: Word[]): InlineCode[] {
  const out: InlineCode[] = [];
  let fromFile = false;
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    if (w.dynamic && !out.length && !fromFile) return [{ language, code: w }];
    if (w.text === '-e' || w.text === '--expression') {
      if (args[i + 1]) out.push({ language, code: args[++i]! });
    } else if (w.text.startsWith('--expression=')) {
      out.push({ language, code: { ...w, text: w.text.slice('--expression='.length) } });
    } else if (/^-[a-zA-Z]*e$/.test(w.text) && !w.text.startsWith('-i')) {
      if (args[i + 1]) out.push({ language, code: args[++i]! });
    } else if (w.text === '-f' || w.text === '--file' || w.text.startsWith('--file=')) {
      fromFile = true;
      if (w.text === '-f' || w.text === '--file') i++;
    } else if (w.text === '-l' || w.text === '--line-length') i++;
    else if (w.text === '--') {
      if (!out.length && !fromFile && args[i + 1]) out.push({ language, code: args[i + 1]! });
      break;
    } else if (!w.text.startsWith('-') || w.text === '-') {
      if (!out.length && !fromFile) out.push({ language, code: w });
      break;
    }
  }
  return out;
}

/** What inline code may do, found by looking for the calls that do it. */
export interface CodeFindings {
  /** Starts other programs (system, exec, subprocess, child_process, backticks). */
  runsPrograms: boolean;
  /** Builds code at run time (eval, __import__, Function, getattr). */
  computesCode: boolean;
  /** Recursive deletes, links, renames, signals. */
  destructive: string[];
  /** Literal strings in the code (commands it may run, paths it may touch). */
  strings: string[];
  /** sed: the literal commands its `e` command runs. */
  commands: string[];
  /** sed: files its `w` command writes. */
  writes: string[];
  /** The code could not be read with confidence. */
  unreadable: boolean;
}

const RUNS_PROGRAMS =
  /\b(system|exec\w*|spawn\w*|popen\w*|fork\w*|subprocess|child_process|shell_exec|passthru|proc_open|pcntl_exec|Open3|execute|Command|run_command)\b|\bBun\s*\.\s*\$|\bIO\s*\.\s*popen|%x/;
/** Method calls like `json.load` or `re.compile` are not the builtins of the same name. */
const COMPUTES_CODE =
  /(?<!\.)\b(eval|__import__|importlib|getattr|setattr|compile|Function|vm|globals|locals|__builtins__|builtins|marshal|pickle|ctypes|ffi|dlopen|send|instance_eval|class_eval|define_method|load|loadstring|dofile|create_function|call_user_func\w*)\b|\b(eval|send|instance_eval|pickle|marshal)\b|\brequire\s*\(\s*[^'"\s)]|\bimport\s*\(/;
const DESTRUCTIVE =
  /\b(rmtree|rm_rf|rm_r|remove_dir_all|rmSync|rmdirSync|rimraf|removedirs|remove_entry\w*|rm|kill\w*|symlink\w*|link(Sync|at)?|rename\w*|truncate\w*|chmod\w*|chown\w*)\b\s*[(,]?/g;

export function readInlineCode(language: string, code: string): CodeFindings {
  const strings = stringLiterals(code);
  if (language === 'sed') return readSed(code);
  let text = code;
  let runsPrograms = RUNS_PROGRAMS.test(text);
  let computesCode = false;
  if (/awk$/.test(language)) {
    // awk runs programs with system() and pipes (`print | "sh"`, `"cmd" | getline`).
    runsPrograms = /\bsystem\s*\(/.test(text) || /\|/.test(text.replace(/\|\|/g, ''));
    text = '';
  }
  if (['perl', 'ruby', 'php'].includes(language)) {
    if (/`|\bqx\b/.test(code)) runsPrograms = true;
    if (language === 'php' && /\bassert\b/.test(code)) computesCode = true;
    if (language === 'perl' && /\bopen\b/.test(code) && /\|/.test(code)) runsPrograms = true;
  }
  const destructive = [...text.matchAll(DESTRUCTIVE)]
    .filter((m) => !(m[1] === 'rm' && !/[(,]$/.test(m[0])))
    .map((m) => m[1]!);
  return {
    runsPrograms,
    computesCode: computesCode || COMPUTES_CODE.test(text),
    destructive: [...new Set(destructive)],
    strings,
    commands: [],
    writes: [],
    unreadable: false,
  };
}

/** Quoted strings in code, escapes left as written (good enough to spot commands and paths). */
export function stringLiterals(code: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|`((?:[^`\\]|\\.)*)`/gs;
  for (const m of code.matchAll(re)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}

/** Paths named in code that the classifier cares about (resolved against home for `~`). */
export function pathLike(strings: string[], home: string): string[] {
  return strings
    .filter((s) => s.startsWith('/') || s.startsWith('~') || s.startsWith('.'))
    .map((s) => (s.startsWith('~/') || s === '~' ? path.join(home, s.slice(1)) : s));
}

/**
 * A small reader for sed scripts: finds `e` commands, the `e` flag of `s`, and `w` files.
 * Anything it does not recognise makes the script unreadable (and so not trusted).
 */
function readSed(script: string): CodeFindings {
  const found: CodeFindings = {
    runsPrograms: false,
    computesCode: false,
    destructive: [],
    strings: [],
    commands: [],
    writes: [],
    unreadable: false,
  };
  const s = script;
  let i = 0;
  const restOfLine = (): string => {
    const end = s.indexOf('\n', i);
    const text = s.slice(i, end < 0 ? s.length : end);
    i = end < 0 ? s.length : end + 1;
    return text;
  };
  const delimited = (delim: string): boolean => {
    while (i < s.length && s[i] !== delim) {
      if (s[i] === '\\') i++;
      else if (s[i] === '\n' && delim !== '\n') return false;
      i++;
    }
    if (i >= s.length) return false;
    i++;
    return true;
  };
  const address = (): boolean => {
    if (/[0-9]/.test(s[i] ?? '')) {
      while (/[0-9~]/.test(s[i] ?? '')) i++;
    } else if (s[i] === '$') i++;
    else if (s[i] === '/') {
      i++;
      if (!delimited('/')) return false;
      while (/[IM]/.test(s[i] ?? '')) i++;
    } else if (s[i] === '\\') {
      const d = s[i + 1];
      i += 2;
      if (!d || !delimited(d)) return false;
      while (/[IM]/.test(s[i] ?? '')) i++;
    }
    return true;
  };
  while (i < s.length) {
    while (/[\s;]/.test(s[i] ?? '')) i++;
    if (i >= s.length) break;
    if (!address()) return { ...found, unreadable: true };
    if (s[i] === ',') {
      i++;
      if (s[i] === '+' || s[i] === '~') i++;
      if (!address()) return { ...found, unreadable: true };
    }
    while (s[i] === ' ' || s[i] === '!') i++;
    const cmd = s[i++];
    switch (cmd) {
      case '{':
      case '}':
        break;
      case '#':
      case ':':
      case 'a':
      case 'i':
      case 'c':
      case 'r':
      case 'R':
      case 'v':
        restOfLine();
        break;
      case 'b':
      case 't':
      case 'T':
        while (i < s.length && s[i] !== ';' && s[i] !== '\n' && s[i] !== '}') i++;
        break;
      case 'w':
      case 'W':
        found.writes.push(restOfLine().trim());
        break;
      case 'e': {
        const command = restOfLine().trim();
        found.runsPrograms = true;
        if (command) found.commands.push(command);
        else found.computesCode = true; // runs the pattern space: text from the input
        break;
      }
      case 's':
      case 'y': {
        const d = s[i++];
        if (!d || d === '\n' || d === '\\' || !delimited(d) || !delimited(d))
          return { ...found, unreadable: true };
        if (cmd === 'y') break;
        while (i < s.length && /[gpiImMe0-9w]/.test(s[i]!)) {
          const flag = s[i++];
          if (flag === 'e') {
            found.runsPrograms = true;
            found.computesCode = true;
          } else if (flag === 'w') {
            found.writes.push(restOfLine().trim());
            break;
          }
        }
        break;
      }
      case 'q':
      case 'Q':
      case 'l':
      case 'L':
        while (/[0-9 ]/.test(s[i] ?? '')) i++;
        break;
      default:
        if (!cmd || !'dDgGhHnNpPxz=F'.includes(cmd)) return { ...found, unreadable: true };
    }
  }
  return found;
}
