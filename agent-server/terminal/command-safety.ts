import * as path from 'node:path';
import type { ShNode } from 'mvdan-sh';
import { syntax, wordValue, type WordContext } from './shell-words.js';

/**
 * Classifies a command line before it runs, by parsing it (mvdan/sh's parser) and looking at
 * every simple command it contains: inside `$(...)`, subshells, pipelines, `;`/`&&`/`||`,
 * behind env prefixes and wrappers (`env`, `command`, `exec`, `nice`, `xargs`, `sudo`, ...),
 * and inside `bash -c '...'` strings. Unparseable or run-time-computed commands are never safe.
 */
export type RiskLevel = 'ordinary' | 'dangerous' | 'blocked';

export interface CommandRisk {
  level: RiskLevel;
  /** Why, one line each; empty for ordinary commands. */
  reasons: string[];
}

export interface ClassifyOptions {
  /** The user's home folder (what `~` and `$HOME` mean). */
  home: string;
  /** The workspace, so build folders given by absolute path are recognised. */
  workspace?: string;
}

interface Word {
  text: string;
  dynamic: boolean;
  glob: boolean;
}

const RANK: Record<RiskLevel, number> = { ordinary: 0, dangerous: 1, blocked: 2 };
const MAX_NESTING = 6;

const SHELLS = new Set([
  'sh',
  'bash',
  'zsh',
  'dash',
  'ksh',
  'mksh',
  'ash',
  'fish',
  'csh',
  'tcsh',
  'busybox-sh',
]);
const INTERPRETERS = new Set([
  ...SHELLS,
  'python',
  'python3',
  'python2',
  'perl',
  'ruby',
  'node',
  'php',
  'lua',
  'deno',
  'bun',
]);
const DOWNLOADERS = new Set(['curl', 'wget', 'fetch', 'aria2c', 'http', 'https', 'lwp-request']);
const PRIVILEGE = new Set(['sudo', 'doas', 'pkexec', 'su', 'run0', 'sudoedit']);
const POWER = new Set(['shutdown', 'reboot', 'halt', 'poweroff', 'telinit', 'kexec']);
const FORMATTERS =
  /^(mkfs(\..+)?|mke2fs|mkswap|wipefs|mkntfs|mkdosfs|mkfs\.[a-z0-9]+|blkdiscard|sgdisk|fdisk|sfdisk|parted)$/;
const SYSTEM_DIRS = [
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/home',
  '/lib',
  '/lib32',
  '/lib64',
  '/opt',
  '/proc',
  '/root',
  '/sbin',
  '/srv',
  '/sys',
  '/usr',
  '/var',
  '/snap',
];
const BUILD_FOLDERS = new Set([
  'node_modules',
  'dist',
  'build',
  'out',
  'target',
  'coverage',
  '.cache',
  '.next',
  '.nuxt',
  '.turbo',
  '.parcel-cache',
  '__pycache__',
  '.pytest_cache',
  '.mypy_cache',
  '.ruff_cache',
  '.tox',
  '.gradle',
  'obj',
  'tmp',
  '.tmp',
]);
const RC_FILES = new Set([
  '.bashrc',
  '.bash_profile',
  '.bash_login',
  '.bash_logout',
  '.profile',
  '.zshrc',
  '.zshenv',
  '.zprofile',
  '.zlogin',
  '.cshrc',
  '.tcshrc',
  '.kshrc',
  '.inputrc',
  'config.fish',
]);
const CREDENTIAL_FILES = new Set([
  '.netrc',
  '.git-credentials',
  '.npmrc',
  '.pypirc',
  'authorized_keys',
  '.pgpass',
  'credentials',
]);
const CREDENTIAL_DIRS = ['.ssh', '.aws', '.gnupg', '.kube', '.docker', '.config/gcloud', '.azure'];
const HARMLESS_DEVICES = /^\/dev\/(null|zero|full|u?random|stdout|stderr|stdin|tty|fd\/\d+|pts\/\d+)$/;

/** One parser for every call: Parse is synchronous, and creating a parser is most of the cost. */
const parser = syntax.NewParser();

/** Ops resolved from the parser itself, so a parser upgrade cannot silently renumber them. */
const OPS = (() => {
  const binary = (src: string): number => parser.Parse(src, '').Stmts[0].Cmd.Op;
  const redir = (src: string): number => parser.Parse(src, '').Stmts[0].Redirs[0].Op;
  return {
    pipe: new Set([binary('a | b'), binary('a |& b')]),
    writes: new Set([
      redir('a > f'),
      redir('a >> f'),
      redir('a &> f'),
      redir('a &>> f'),
      redir('a >| f'),
      redir('a <> f'),
    ]),
    dupOut: redir('a >& f'),
    hereDocs: new Set([redir('a <<E\nx\nE'), redir('a <<-E\nx\nE'), redir('a <<< x')]),
  };
})();

/** What a pipeline feeds into a command's stdin, when a shell reads it. */
type StdinSource = { kind: 'literal'; text: string } | { kind: 'download' } | { kind: 'unknown' };

class Classifier {
  private level: RiskLevel = 'ordinary';
  private readonly reasons: string[] = [];

  constructor(private readonly options: ClassifyOptions) {}

  flag(level: RiskLevel, reason: string): void {
    if (!this.reasons.includes(reason)) this.reasons.push(reason);
    if (RANK[level] > RANK[this.level]) this.level = level;
  }

  result(): CommandRisk {
    return { level: this.level, reasons: this.level === 'ordinary' ? [] : this.reasons };
  }

  /** Parses and checks one script (the top-level command line or a nested `-c` string). */
  script(source: string, depth: number): void {
    if (depth > MAX_NESTING) {
      this.flag('dangerous', 'Nested shell commands too deep to check.');
      return;
    }
    let file: ShNode;
    try {
      file = parser.Parse(source, '');
    } catch {
      this.flag('dangerous', 'The command could not be parsed, so it cannot be checked.');
      return;
    }
    const ctx: WordContext = { home: this.options.home, vars: literalAssignments(file, this.options.home) };
    const cwds = this.possibleDirectories(file, ctx);
    // Keyed by source span: GopherJS hands out a new wrapper object on every field access.
    const stdin = new Map<string, StdinSource>();
    const extraArgs = new Map<string, Word[]>();
    syntax.Walk(file, (node) => {
      if (!node) return true;
      switch (syntax.NodeType(node)) {
        case 'BinaryCmd':
          if (OPS.pipe.has(node.Op)) this.pipe(node, ctx, stdin, extraArgs);
          break;
        case 'Stmt':
          for (const redir of node.Redirs as ShNode[]) this.redirect(redir, node, ctx, cwds, depth);
          break;
        case 'FuncDecl':
          this.functionDecl(node);
          break;
        case 'CallExpr':
          this.call(node, ctx, cwds, depth, stdin.get(span(node)), extraArgs.get(span(node)) ?? []);
          break;
      }
      return true;
    });
  }

  /** Directories the command may `cd` into before a relative path is used. */
  private possibleDirectories(file: ShNode, ctx: WordContext): string[] {
    const dirs = new Set<string>(['.']);
    syntax.Walk(file, (node) => {
      if (node && syntax.NodeType(node) === 'CallExpr') {
        const words = flatten(node.Args, ctx);
        const name = words[0] && !words[0].dynamic ? path.basename(words[0].text) : '';
        if (name === 'cd' || name === 'pushd') {
          const target = words.slice(1).find((w) => !w.text.startsWith('-') || w.dynamic);
          if (!target) dirs.add(ctx.home);
          else if (target.dynamic) dirs.add('?');
          else dirs.add(target.text);
        }
      }
      return true;
    });
    return [...dirs];
  }

  private pipe(
    node: ShNode,
    ctx: WordContext,
    stdin: Map<string, StdinSource>,
    extraArgs: Map<string, Word[]>,
  ): void {
    const receiver = firstCall(node.Y);
    const sender = lastCall(node.X);
    if (!receiver) return;
    const senderWords = sender ? flatten(sender.Args, ctx) : [];
    const senderName = senderWords[0] && !senderWords[0].dynamic ? path.basename(senderWords[0].text) : '';
    let source: StdinSource = { kind: 'unknown' };
    if (containsCall(node.X, ctx, (name) => DOWNLOADERS.has(name))) source = { kind: 'download' };
    else if (
      (senderName === 'echo' || senderName === 'printf') &&
      senderWords.slice(1).every((w) => !w.dynamic)
    ) {
      const args = senderWords.slice(1).filter((w, i) => !(i === 0 && /^-[neE]+$/.test(w.text)));
      source = { kind: 'literal', text: args.map((w) => w.text).join(' ') };
      // `echo / | xargs rm -rf`: xargs turns the echoed words into arguments.
      if (flatten(receiver.Args, ctx).some((w) => path.basename(w.text) === 'xargs'))
        extraArgs.set(
          span(receiver),
          args.flatMap((w) =>
            w.text
              .split(/\s+/)
              .filter(Boolean)
              .map((text) => ({ ...w, text })),
          ),
        );
    }
    stdin.set(span(receiver), source);
  }

  private functionDecl(node: ShNode): void {
    const name: string = node.Name?.Value ?? '';
    let recursive = false;
    let forks = false;
    syntax.Walk(node.Body, (inner) => {
      if (!inner) return true;
      const type = syntax.NodeType(inner);
      if (type === 'CallExpr' && inner.Args.length && inner.Args[0].Lit() === name) recursive = true;
      if ((type === 'Stmt' && inner.Background) || (type === 'BinaryCmd' && OPS.pipe.has(inner.Op)))
        forks = true;
      return true;
    });
    if (recursive && forks) this.flag('blocked', `Fork bomb: function "${name}" spawns copies of itself.`);
  }

  private redirect(redir: ShNode, stmt: ShNode, ctx: WordContext, cwds: string[], depth: number): void {
    const op: number = redir.Op;
    if (OPS.hereDocs.has(op)) {
      // A shell reading a here-doc runs it: check the script it is given.
      const call = stmt.Cmd && syntax.NodeType(stmt.Cmd) === 'CallExpr' ? stmt.Cmd : undefined;
      const name = call ? programName(flatten(call.Args, ctx)) : '';
      if (name && SHELLS.has(name)) {
        const body = redir.Hdoc ?? redir.Word;
        const text = body ? wordValue(body, ctx) : undefined;
        if (!text || text.dynamic) this.flag('dangerous', 'Feeds a computed script to a shell.');
        else this.script(text.values.join(' '), depth + 1);
      }
      return;
    }
    const writes = OPS.writes.has(op) || (op === OPS.dupOut && !/^(\d+|-)$/.test(redir.Word?.Lit?.() ?? ''));
    if (!writes || !redir.Word) return;
    for (const target of flatten([redir.Word], ctx)) this.writeTarget(target, cwds, 'Redirects output to');
  }

  /** A path some command writes to. */
  private writeTarget(target: Word, cwds: string[], verb: string): void {
    if (target.dynamic) return;
    for (const p of this.resolvePaths(target.text, cwds)) {
      if (isBlockDevice(p)) this.flag('blocked', `${verb} the block device ${p}: this can destroy a disk.`);
      else if (this.isShellRc(p)) this.flag('dangerous', `${verb} the shell startup file ${p}.`);
      else if (this.isCredential(p)) this.flag('dangerous', `${verb} the credential file ${p}.`);
      else if (p.startsWith('/etc/')) this.flag('dangerous', `${verb} the system file ${p}.`);
    }
  }

  private resolvePaths(text: string, cwds: string[]): string[] {
    if (path.isAbsolute(text)) return [path.normalize(text)];
    return cwds.map((cwd) =>
      cwd === '.' || cwd === '?' || !path.isAbsolute(cwd) ? path.normalize(text) : path.join(cwd, text),
    );
  }

  private isShellRc(p: string): boolean {
    return RC_FILES.has(path.basename(p));
  }

  private isCredential(p: string): boolean {
    if (CREDENTIAL_FILES.has(path.basename(p))) return true;
    const home = this.options.home;
    return CREDENTIAL_DIRS.some(
      (d) => p.includes(`/${d}/`) || p.endsWith(`/${d}`) || p.startsWith(`${d}/`) || p === `${home}/${d}`,
    );
  }

  /** `/`, home, top-level system folders, and globs that reach them. */
  private isProtectedTree(p: string, glob: boolean): boolean {
    const home = path.normalize(this.options.home);
    const norm = path.normalize(p).replace(/(.)\/+$/, '$1');
    if (norm === '/' || norm === home || SYSTEM_DIRS.includes(norm)) return true;
    if (!glob) return false;
    // A glob in the first component below `/` or home reaches protected folders.
    for (const root of ['/', home + '/']) {
      if (norm.startsWith(root)) {
        const first = norm.slice(root.length).split('/')[0] ?? '';
        if (/[*?[]/.test(first)) return true;
      }
    }
    return false;
  }

  private isBuildFolder(text: string): boolean {
    const norm = path.normalize(text);
    let rel = norm;
    if (path.isAbsolute(norm)) {
      if (!this.options.workspace) return false;
      rel = path.relative(this.options.workspace, norm);
      if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return false;
    }
    if (rel.startsWith('..')) return false;
    return rel.split('/').some((seg) => BUILD_FOLDERS.has(seg));
  }

  private call(
    node: ShNode,
    ctx: WordContext,
    cwds: string[],
    depth: number,
    stdin: StdinSource | undefined,
    extra: Word[],
  ): void {
    let words = [...flatten(node.Args, ctx), ...extra];
    if (!words.length) return; // a bare assignment
    words = this.unwrap(words, depth);
    if (!words.length) return;
    const head = words[0]!;
    if (head.dynamic) {
      this.flag('dangerous', 'The program to run is computed at run time, so it cannot be checked.');
      return;
    }
    const name = path.basename(head.text);
    const args = words.slice(1);
    if (SHELLS.has(name)) this.shell(name, args, depth, stdin);
    else if (INTERPRETERS.has(name) && stdin?.kind === 'download')
      this.flag('dangerous', `Pipes a download into ${name}.`);
    this.program(name, args, cwds, depth);
  }

  /** Strips env prefixes and wrappers (`env`, `sudo`, `nice`, `xargs`, ...) to find the real program. */
  private unwrap(words: Word[], depth: number): Word[] {
    for (let guard = 0; guard < 20 && words.length; guard++) {
      const head = words[0]!;
      if (head.dynamic) return words;
      const name = path.basename(head.text);
      const rest = words.slice(1);
      if (PRIVILEGE.has(name)) {
        this.flag('dangerous', `Runs with elevated privileges (${name}).`);
        if (name === 'su') {
          const c = rest.findIndex((w) => w.text === '-c' || w.text === '--command');
          if (c >= 0 && rest[c + 1]) this.nested(rest[c + 1]!, depth, 'su -c');
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
              if (rest[i + 1]) this.nested(rest[i + 1]!, depth, 'env -S');
              return [];
            }
            if (w.text.startsWith('-S') && w.text.length > 2) {
              this.nested({ ...w, text: w.text.slice(2) }, depth, 'env -S');
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
            this.nested(words[0]!, depth, 'watch');
            return [];
          }
          continue;
        case 'flock':
          words = skipOptions(rest, new Set(['-w', '-E', '--timeout', '--conflict-exit-code'])).slice(1);
          if (words[0]?.text === '-c' && words[1]) {
            this.nested(words[1], depth, 'flock -c');
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
          if (joined === undefined) this.flag('dangerous', 'Evaluates a command computed at run time.');
          else this.script(joined, depth + 1);
          return [];
        }
      }
      return words;
    }
    return words;
  }

  /** A command string handed to another shell (`bash -c`, `su -c`, `env -S`, `watch`). */
  private nested(word: Word, depth: number, via: string): void {
    if (word.dynamic) this.flag('dangerous', `Runs a command computed at run time (${via}).`);
    else this.script(word.text, depth + 1);
  }

  private shell(name: string, args: Word[], depth: number, stdin: StdinSource | undefined): void {
    const c = args.findIndex((w) => !w.dynamic && /^-[a-zA-Z]*c[a-zA-Z]*$/.test(w.text));
    if (c >= 0) {
      const script = args[c + 1];
      if (script) this.nested(script, depth, `${name} -c`);
      return;
    }
    const scriptFile = args.find((w) => !w.text.startsWith('-') || w.dynamic);
    if (scriptFile?.dynamic) this.flag('dangerous', `${name} runs a script computed at run time.`);
    if (scriptFile || !stdin) return;
    if (stdin.kind === 'download')
      this.flag('dangerous', `Pipes a download into ${name}: runs code from the internet.`);
    else if (stdin.kind === 'literal') this.script(stdin.text, depth + 1);
    else this.flag('dangerous', `Pipes generated commands into ${name}.`);
  }

  private program(name: string, args: Word[], cwds: string[], depth: number): void {
    if (FORMATTERS.test(name)) this.flag('blocked', `${name} formats or repartitions a disk.`);
    if (POWER.has(name)) this.flag('blocked', `${name} shuts down or restarts the machine.`);
    if (name === 'init' && args.some((w) => /^[06sS]$/.test(w.text)))
      this.flag('blocked', "init changes the machine's runlevel.");
    if (
      name === 'systemctl' &&
      args.some((w) => /^(poweroff|reboot|halt|kexec|emergency|rescue)$/.test(w.text))
    ) {
      this.flag('blocked', 'systemctl would shut down or restart the machine.');
    }
    if (name === 'kill' || name === 'pkill' || name === 'killall') {
      if (name === 'kill' && args.some((w) => w.text === '-1'))
        this.flag('blocked', 'kill -1 kills every process you own.');
      if (name === 'killall' && args.length === 0) this.flag('dangerous', 'killall with no name.');
    }
    switch (name) {
      case 'rm':
        this.remove(args, cwds);
        break;
      case 'rmdir':
        break;
      case 'shred':
      case 'truncate':
      case 'tee':
        for (const w of operands(args)) this.writeTarget(w, cwds, `${name} writes to`);
        break;
      case 'cp':
      case 'mv':
      case 'install':
      case 'ln':
      case 'rsync': {
        const ops = operands(args);
        if (ops.length) this.writeTarget(ops[ops.length - 1]!, cwds, `${name} writes to`);
        if (name === 'mv') {
          for (const w of ops.slice(0, -1)) {
            if (!w.dynamic && this.resolvePaths(w.text, cwds).some((p) => this.isProtectedTree(p, w.glob))) {
              this.flag('blocked', `Moves ${w.text}, a protected system or home folder.`);
            }
          }
        }
        break;
      }
      case 'sed':
      case 'perl':
        if (args.some((w) => /^-[a-zA-Z]*i/.test(w.text) || w.text.startsWith('--in-place'))) {
          for (const w of operands(args)) this.writeTarget(w, cwds, `${name} -i edits`);
        }
        break;
      case 'dd':
        for (const w of args)
          if (w.text.startsWith('of='))
            this.writeTarget({ ...w, text: w.text.slice(3) }, cwds, 'dd writes to');
        break;
      case 'chmod':
      case 'chown':
      case 'chgrp':
        if (args.some((w) => /^-[a-zA-Z]*R/.test(w.text) || w.text === '--recursive')) {
          for (const w of operands(args)) {
            if (!w.dynamic && this.resolvePaths(w.text, cwds).some((p) => this.isProtectedTree(p, w.glob))) {
              this.flag('blocked', `Recursive ${name} of ${w.text}, a protected system or home folder.`);
            }
          }
        }
        break;
      case 'find':
        this.find(args, cwds, depth);
        break;
      case 'git':
        this.git(args);
        break;
    }
  }

  private remove(args: Word[], cwds: string[]): void {
    const flags = [];
    const targets: Word[] = [];
    let endOfOptions = false;
    for (const w of args) {
      if (!endOfOptions && w.text === '--') endOfOptions = true;
      else if (!endOfOptions && !w.dynamic && w.text.startsWith('-') && w.text !== '-') flags.push(w.text);
      else targets.push(w);
    }
    if (flags.includes('--no-preserve-root'))
      this.flag('blocked', 'rm --no-preserve-root can wipe the whole machine.');
    const recursive = flags.some((f) => f === '--recursive' || (/^-[a-zA-Z]+$/.test(f) && /[rR]/.test(f)));
    if (!recursive) {
      for (const t of targets) {
        if (
          !t.dynamic &&
          this.resolvePaths(t.text, cwds).some((p) => this.isCredential(p) || this.isShellRc(p))
        ) {
          this.flag('dangerous', `Deletes ${t.text}, a credential or shell startup file.`);
        }
      }
      return;
    }
    let outsideBuild = targets.length === 0;
    for (const t of targets) {
      if (t.dynamic) {
        outsideBuild = true;
        continue;
      }
      const paths = this.resolvePaths(t.text, cwds);
      if (paths.some((p) => this.isProtectedTree(p, t.glob))) {
        this.flag('blocked', `Recursive delete of ${t.text} would wipe the system or your home folder.`);
      }
      if (cwds.length > 1 || !this.isBuildFolder(t.text)) outsideBuild = true;
    }
    if (outsideBuild) this.flag('dangerous', 'Recursive delete outside build folders.');
  }

  private find(args: Word[], cwds: string[], depth: number): void {
    const deletes = args.some((w) => w.text === '-delete');
    const exec = args.findIndex((w) => w.text === '-exec' || w.text === '-execdir' || w.text === '-ok');
    let execRm = false;
    if (exec >= 0) {
      const end = args.findIndex((w, i) => i > exec && (w.text === ';' || w.text === '+'));
      const inner = args.slice(exec + 1, end < 0 ? undefined : end);
      execRm = inner[0] !== undefined && path.basename(inner[0].text) === 'rm';
      this.unwrapAndCheck(inner, cwds, depth);
    }
    if (!deletes && !execRm) return;
    const firstExpr = args.findIndex((w) => w.text.startsWith('-') || w.text === '(' || w.text === '!');
    const roots = firstExpr < 0 ? args : args.slice(0, firstExpr);
    for (const r of roots.length ? roots : [{ text: '.', dynamic: false, glob: false }]) {
      if (!r.dynamic && this.resolvePaths(r.text, cwds).some((p) => this.isProtectedTree(p, r.glob))) {
        this.flag('blocked', `find deleting under ${r.text} would wipe the system or your home folder.`);
      }
    }
    this.flag('dangerous', 'find deletes files.');
  }

  private unwrapAndCheck(words: Word[], cwds: string[], depth: number): void {
    const inner = this.unwrap(
      words.filter((w) => w.text !== '{}'),
      depth,
    );
    if (!inner.length) return;
    if (inner[0]!.dynamic)
      this.flag('dangerous', 'The program to run is computed at run time, so it cannot be checked.');
    else this.program(path.basename(inner[0]!.text), inner.slice(1), cwds, depth);
  }

  private git(args: Word[]): void {
    const sub = skipOptions(args, new Set(['-C', '-c', '--git-dir', '--work-tree', '--namespace']));
    const [cmd, ...rest] = sub;
    if (!cmd) return;
    if (cmd.text === 'push') {
      if (
        rest.some(
          (w) =>
            /^(-f|--force|--force-with-lease|--force-if-includes|--mirror|--delete|-d)(=.*)?$/.test(w.text) ||
            /^-[a-zA-Z]*f[a-zA-Z]*$/.test(w.text) ||
            /^\+/.test(w.text) ||
            w.text.startsWith(':'),
        )
      ) {
        this.flag('dangerous', 'git push that rewrites or deletes remote history.');
      }
    }
    if (
      cmd.text === 'reset' &&
      rest.some((w) => w.text === '--hard' || w.text === '--merge' || w.text === '--keep')
    ) {
      this.flag('dangerous', 'git reset --hard discards uncommitted work.');
    }
    if (cmd.text === 'clean' && rest.some((w) => /^-[a-zA-Z]*f/.test(w.text) || w.text === '--force')) {
      this.flag('dangerous', 'git clean deletes untracked files.');
    }
    if (
      cmd.text === 'checkout' &&
      rest.some((w) => w.text === '--' || w.text === '.' || w.text === '-f' || w.text === '--force')
    ) {
      this.flag('dangerous', 'git checkout that discards local changes.');
    }
    if (cmd.text === 'stash' && rest.some((w) => w.text === 'clear' || w.text === 'drop')) {
      this.flag('dangerous', 'git stash clear/drop deletes stashed work.');
    }
    if (cmd.text === 'branch' && rest.some((w) => w.text === '-D'))
      this.flag('dangerous', 'git branch -D deletes a branch.');
  }
}

function flatten(args: ShNode[], ctx: WordContext): Word[] {
  const out: Word[] = [];
  for (const arg of args) {
    const v = wordValue(arg, ctx);
    for (const text of v.values) out.push({ text, dynamic: v.dynamic, glob: v.glob });
  }
  return out;
}

function programName(words: Word[]): string {
  return words[0] && !words[0].dynamic ? path.basename(words[0].text) : '';
}

/** Skips options (and the values of those in `withValue`) up to the first operand. */
function skipOptions(words: Word[], withValue: ReadonlySet<string>, alsoOption?: RegExp): Word[] {
  let i = 0;
  while (i < words.length) {
    const w = words[i]!;
    if (w.dynamic) break;
    if (w.text === '--') return words.slice(i + 1);
    if (!w.text.startsWith('-') || w.text === '-') {
      if (alsoOption?.test(w.text)) {
        i++;
        continue;
      }
      break;
    }
    i += withValue.has(w.text) ? 2 : 1;
  }
  return words.slice(i);
}

function operands(words: Word[]): Word[] {
  const out: Word[] = [];
  let end = false;
  for (const w of words) {
    if (!end && w.text === '--') end = true;
    else if (end || w.dynamic || !w.text.startsWith('-') || w.text === '-') out.push(w);
  }
  return out;
}

function isBlockDevice(p: string): boolean {
  return p.startsWith('/dev/') && !HARMLESS_DEVICES.test(p);
}

function span(node: ShNode): string {
  return `${node.Pos().Offset()}:${node.End().Offset()}`;
}

function firstCall(stmt: ShNode | undefined): ShNode | undefined {
  const cmd = stmt?.Cmd;
  if (!cmd) return undefined;
  const type = syntax.NodeType(cmd);
  if (type === 'CallExpr') return cmd;
  if (type === 'BinaryCmd' && OPS.pipe.has(cmd.Op)) return firstCall(cmd.X);
  return undefined;
}

function lastCall(stmt: ShNode | undefined): ShNode | undefined {
  const cmd = stmt?.Cmd;
  if (!cmd) return undefined;
  const type = syntax.NodeType(cmd);
  if (type === 'CallExpr') return cmd;
  if (type === 'BinaryCmd' && OPS.pipe.has(cmd.Op)) return lastCall(cmd.Y);
  return undefined;
}

function containsCall(node: ShNode, ctx: WordContext, match: (name: string) => boolean): boolean {
  let found = false;
  syntax.Walk(node, (inner) => {
    if (inner && syntax.NodeType(inner) === 'CallExpr') {
      const words = flatten(inner.Args, ctx);
      if (words.some((w) => !w.dynamic && match(path.basename(w.text)))) found = true;
    }
    return !found;
  });
  return found;
}

/** `X=value` statements with literal values, so `x=rm; $x -rf /` is seen through. */
function literalAssignments(file: ShNode, home: string): Map<string, string> {
  const vars = new Map<string, string>();
  const dynamicVars = new Set<string>();
  syntax.Walk(file, (node) => {
    if (!node || syntax.NodeType(node) !== 'Assign') return true;
    const name: string | undefined = node.Name?.Value;
    if (!name) return true;
    const v = node.Value
      ? wordValue(node.Value, { home, vars })
      : { values: [''], dynamic: false, glob: false };
    if (v.dynamic || v.values.length !== 1 || node.Append || node.Array) dynamicVars.add(name);
    else if (vars.has(name) && vars.get(name) !== v.values[0]) dynamicVars.add(name);
    else vars.set(name, v.values[0]!);
    return true;
  });
  for (const name of dynamicVars) vars.delete(name);
  return vars;
}

export function classifyCommand(command: string, options: ClassifyOptions): CommandRisk {
  const classifier = new Classifier(options);
  if (command.includes('\0')) {
    classifier.flag('dangerous', 'The command contains a NUL byte.');
    return classifier.result();
  }
  classifier.script(command, 0);
  return classifier.result();
}
