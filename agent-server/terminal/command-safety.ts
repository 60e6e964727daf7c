import * as path from 'node:path';
import type { ShNode } from 'mvdan-sh';
import { unwrapCommand, type WrapperHooks } from './command-wrappers.js';
import { checkEnvAssignment } from './env-vars-risk.js';
import { inlineCode, pathLike, readInlineCode, type InlineCode } from './inline-code.js';
import { PathRisk } from './path-risk.js';
import { checkProgram, type RuleContext } from './program-rules.js';
import { Findings, programName, type ClassifyOptions, type CommandRisk, type Word } from './risk.js';
import {
  containsCall,
  firstCall,
  flatten,
  lastCall,
  nameOf,
  shellParser,
  span,
  type ShellOps,
} from './shell-ast.js';
import {
  BUILD_FILES,
  INTERPRETERS,
  LINK_MAKERS,
  ONLY_ASKS_VERSION,
  PROGRAM_FROM_REPOSITORY,
  SHELLS,
  STDIN_FILES,
} from './program-kinds.js';
import { DOWNLOADERS, hidesCommandInArithmetic, possibleDirectories, writtenFiles } from './shell-prepass.js';
import { literalAssignments } from './shell-vars.js';
import { syntax, wordValue, type WordContext } from './shell-words.js';

export type { ClassifyOptions, CommandRisk, RiskLevel } from './risk.js';
export { loadShellSyntax } from './shell-words.js';

/**
 * Classifies a command line before it runs, by parsing it (mvdan/sh's parser) and looking at
 * every simple command it contains: inside `$(...)`, subshells, pipelines, `;`/`&&`/`||`,
 * behind env prefixes and wrappers (`env`, `command`, `exec`, `nice`, `xargs`, `sudo`, ...),
 * and inside every command string another program runs (`bash -c`, `find -exec sh -c`,
 * `git -c alias.x='!...'`, `npx -c`, `trap`, `alias`, interpreter one-liners). A literal
 * command string is classified as the command it is; one only known at run time is dangerous.
 * What each program does with its arguments is judged in program-rules.ts.
 */
const MAX_NESTING = 6;
/** String literals of one-liner code checked as commands (bounded: each is a parse). */
const MAX_CODE_STRINGS = 40;

/** What a pipeline feeds into a command's stdin, when a shell reads it. */
type StdinSource =
  | { kind: 'literal'; text: string }
  | { kind: 'download' }
  | { kind: 'unknown' }
  /** A here-doc, already checked as the script it is. */
  | { kind: 'checked' }
  | { kind: 'file'; file: Word };

class Classifier {
  readonly findings = new Findings();
  private readonly paths: PathRisk;
  private readonly ops: ShellOps;
  /** Files this command line writes (normalised), so running them afterwards is seen. */
  private readonly written = new Set<string>();
  private writesUnknownFiles = false;
  /** A program that can turn a path into a link ran somewhere in the line. */
  private linkMaker: string | undefined;
  private readonly buildDeletes: string[] = [];

  constructor(private readonly options: ClassifyOptions) {
    this.paths = new PathRisk(options);
    this.ops = shellParser().ops;
  }

  private flag(level: 'dangerous' | 'blocked', reason: string): void {
    this.findings.flag(level, reason);
  }

  /** Parses and checks one script (the top-level command line or a nested command string). */
  script(source: string, depth: number): void {
    if (depth > MAX_NESTING) {
      this.flag('dangerous', 'Nested shell commands too deep to check.');
      return;
    }
    let file: ShNode;
    try {
      file = shellParser().parser.Parse(source, '');
    } catch {
      this.flag('dangerous', 'The command could not be parsed, so it cannot be checked.');
      return;
    }
    const ctx: WordContext = {
      home: this.options.home,
      vars: literalAssignments(file, source, this.options.home),
    };
    const cwds = possibleDirectories(file, ctx);
    const writes = writtenFiles(file, ctx, this.ops);
    writes.files.forEach((f) => this.written.add(f));
    if (writes.unknown) this.writesUnknownFiles = true;
    if (hidesCommandInArithmetic(file))
      this.flag('dangerous', 'Arithmetic can run a command hidden in a quoted string.');
    // Keyed by source span: GopherJS hands out a new wrapper object on every field access.
    const stdin = new Map<string, StdinSource>();
    const extraArgs = new Map<string, Word[]>();
    syntax.Walk(file, (node) => {
      if (!node) return true;
      switch (syntax.NodeType(node)) {
        case 'BinaryCmd':
          if (this.ops.pipe.has(node.Op)) this.pipe(node, ctx, stdin, extraArgs);
          break;
        case 'Stmt':
          for (const redir of node.Redirs as ShNode[]) this.redirect(redir, node, ctx, cwds, depth, stdin);
          break;
        case 'FuncDecl':
          this.functionDecl(node);
          break;
        case 'Assign':
          if (node.Name && node.Value) {
            const v = wordValue(node.Value, ctx, false);
            const value = { text: v.values.join(' '), dynamic: v.dynamic, glob: false };
            checkEnvAssignment(node.Name.Value, value, this.findings, (w, via) => this.nested(w, depth, via));
          }
          break;
        case 'CallExpr': {
          const words = [...flatten(node.Args, ctx), ...(extraArgs.get(span(node)) ?? [])];
          if (words.length) this.command(words, cwds, depth, stdin.get(span(node)));
          break;
        }
      }
      return true;
    });
  }

  /** Rules that need the whole line: a build-folder delete next to something that makes links. */
  finish(): void {
    if (this.linkMaker && this.buildDeletes.length)
      this.flag(
        'dangerous',
        `Deletes ${this.buildDeletes.join(', ')} in a command that also runs ${this.linkMaker}, which can turn it into a link to other files.`,
      );
  }

  private pipe(
    node: ShNode,
    ctx: WordContext,
    stdin: Map<string, StdinSource>,
    extraArgs: Map<string, Word[]>,
  ): void {
    const receiver = firstCall(node.Y, this.ops.pipe);
    const sender = lastCall(node.X, this.ops.pipe);
    if (!receiver) return;
    const senderWords = sender ? flatten(sender.Args, ctx) : [];
    const senderName = nameOf(senderWords);
    let source: StdinSource = { kind: 'unknown' };
    if (containsCall(node.X, ctx, (name) => DOWNLOADERS.has(name))) source = { kind: 'download' };
    else if (
      (senderName === 'echo' || senderName === 'printf') &&
      senderWords.slice(1).every((w) => !w.dynamic) &&
      // printf formats and echo escapes (`printf '%s\\n' ...`, dash's echo) change the text.
      !senderWords
        .slice(1)
        .some((w) => w.text.includes('\\') || (senderName === 'printf' && w.text.includes('%')))
    ) {
      const args = senderWords.slice(1).filter((w, i) => !(i === 0 && /^-[neE]+$/.test(w.text)));
      source = { kind: 'literal', text: args.map((w) => w.text).join(' ') };
      // `echo / | xargs rm -rf`: xargs turns the echoed words into arguments.
      const receiverWords = flatten(receiver.Args, ctx);
      if (receiverWords.some((w) => path.basename(w.text) === 'xargs')) {
        // -0 / -d: the whole input is one argument, spaces and all.
        const whole = receiverWords.some((w) => /^(-0|--null|-d.*|--delimiter.*)$/.test(w.text));
        const text = args.map((w) => w.text).join(' ');
        extraArgs.set(
          span(receiver),
          whole
            ? [{ text: text.replace(/\n$/, ''), dynamic: false, glob: false }]
            : text
                .split(/\s+/)
                .filter(Boolean)
                .map((t) => ({ text: t, dynamic: false, glob: false })),
        );
      }
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
      if ((type === 'Stmt' && inner.Background) || (type === 'BinaryCmd' && this.ops.pipe.has(inner.Op)))
        forks = true;
      return true;
    });
    if (recursive && forks) this.flag('blocked', `Fork bomb: function "${name}" spawns copies of itself.`);
  }

  private redirect(
    redir: ShNode,
    stmt: ShNode,
    ctx: WordContext,
    cwds: string[],
    depth: number,
    stdin: Map<string, StdinSource>,
  ): void {
    const op: number = redir.Op;
    const call = stmt.Cmd && syntax.NodeType(stmt.Cmd) === 'CallExpr' ? stmt.Cmd : undefined;
    if (op === this.ops.readIn && call && redir.Word) {
      const [file] = flatten([redir.Word], ctx);
      if (file) stdin.set(span(call), { kind: 'file', file });
      return;
    }
    if (this.ops.hereDocs.has(op)) {
      // A shell or interpreter reading a here-doc runs it: check the script it is given.
      if (call) stdin.set(span(call), { kind: 'checked' });
      const name = call ? programName(flatten(call.Args, ctx)) : '';
      if (!name || !(INTERPRETERS.has(name) || name === '.' || name === 'source')) return;
      const body = redir.Hdoc ?? redir.Word;
      const text = body ? wordValue(body, ctx, false) : undefined;
      if (!text || text.dynamic) this.flag('dangerous', `Feeds a computed script to ${name}.`);
      else if (!INTERPRETERS.has(name) || SHELLS.has(name)) this.script(text.values.join(' '), depth + 1);
      else
        this.inline(
          name,
          [{ language: name, code: { text: text.values.join(' '), dynamic: false, glob: false } }],
          cwds,
          depth,
        );
      return;
    }
    const writes =
      this.ops.writes.has(op) || (op === this.ops.dupOut && !/^(\d+|-)$/.test(redir.Word?.Lit?.() ?? ''));
    if (!writes || !redir.Word) return;
    for (const target of flatten([redir.Word], ctx)) {
      this.paths.checkWrite(this.findings, target, cwds, 'Redirects output to');
    }
  }

  /** One command as it will run: wrappers peeled, then the program and its arguments judged. */
  private command(words: Word[], cwds: string[], depth: number, stdin: StdinSource | undefined): void {
    words = unwrapCommand(words, this.wrapperHooks(cwds, depth));
    if (!words.length) return;
    const head = words[0]!;
    if (head.dynamic) {
      this.flag('dangerous', 'The program to run is computed at run time, so it cannot be checked.');
      return;
    }
    const name = path.basename(head.text);
    const args = words.slice(1);
    if (head.text.includes('/')) this.runsFile(head, 'Runs');
    else this.readsWrittenFile(name);
    if (LINK_MAKERS.has(name)) this.linkMaker ??= name;
    if (name === 'source' || name === '.') this.source(args, depth, stdin);
    else if (SHELLS.has(name)) this.shell(name, args, depth, stdin);
    else if (INTERPRETERS.has(name) || /awk$|^g?sed$/.test(name))
      this.interpreter(name, args, cwds, depth, stdin);
    checkProgram(name, args, this.ruleContext(cwds, depth));
  }

  private wrapperHooks(cwds: string[], depth: number): WrapperHooks {
    return {
      findings: this.findings,
      nested: (word: Word, via: string) => this.nested(word, depth, via),
      script: (text: string) => this.script(text, depth + 1),
      command: (words: Word[]) => this.command(words, cwds, depth, undefined),
      assignment: (name: string, value: Word) =>
        checkEnvAssignment(name, value, this.findings, (w, via) => this.nested(w, depth, via)),
    };
  }

  private ruleContext(cwds: string[], depth: number): RuleContext {
    return {
      findings: this.findings,
      paths: this.paths,
      cwds,
      // `find -exec CMD`: the command find runs, judged like any other.
      checkInner: (words) => this.command(words, cwds, depth, undefined),
      nested: (word, via) => this.nested(word, depth, via),
      script: (text) => this.script(text, depth + 1),
      buildFolderDeleted: (text) => this.buildDeletes.push(text),
    };
  }

  /** A command string handed to another shell (`bash -c`, `su -c`, `env -S`, `watch`). */
  private nested(word: Word, depth: number, via: string): void {
    if (word.dynamic) this.flag('dangerous', `Runs a command computed at run time (${via}).`);
    else this.script(word.text, depth + 1);
  }

  /** Running a file is as safe as the file; one this same line writes is unknown code. */
  private runsFile(file: Word, verb: string): void {
    if (file.dynamic) this.flag('dangerous', `${verb} a file computed at run time.`);
    else if (this.written.has(path.normalize(file.text)))
      this.flag('dangerous', `${verb} ${file.text}, which this same command writes.`);
    else if (this.writesUnknownFiles)
      this.flag('dangerous', `${verb} ${file.text} after writing files that cannot be known in advance.`);
  }

  /**
   * A program found through PATH, or a build tool reading its file (`npm` and package.json,
   * `make` and Makefile), where this same line wrote that file: unknown code.
   */
  private readsWrittenFile(name: string): void {
    const reads = new Set([name, ...(BUILD_FILES[name] ?? [])]);
    const hit = [...this.written].find((f) => reads.has(path.basename(f)));
    if (hit) this.flag('dangerous', `Runs ${name}, which reads ${hit}, written by this same command.`);
  }

  private source(args: Word[], depth: number, stdin: StdinSource | undefined): void {
    const file = args[0];
    if (!file) return;
    if (!file.dynamic && STDIN_FILES.has(file.text)) this.shell('source', [], depth, stdin);
    else this.runsFile(file, 'Sources');
  }

  private shell(name: string, args: Word[], depth: number, stdin: StdinSource | undefined): void {
    const c = args.findIndex((w) => !w.dynamic && /^-[a-zA-Z]*c[a-zA-Z]*$/.test(w.text));
    if (c >= 0) {
      const script = args[c + 1];
      if (script) this.nested(script, depth, `${name} -c`);
      else this.flag('dangerous', `${name} -c with the script coming from elsewhere.`);
      return;
    }
    const scriptFile = args.find((w) => !w.text.startsWith('-') || w.dynamic);
    if (scriptFile && !(!scriptFile.dynamic && STDIN_FILES.has(scriptFile.text))) {
      this.runsFile(scriptFile, `${name} runs`);
      return;
    }
    this.readsStdin(name, args, stdin);
    if (!stdin || stdin.kind === 'checked' || stdin.kind === 'file') return;
    if (stdin.kind === 'download')
      this.flag('dangerous', `Pipes a download into ${name}: runs code from the internet.`);
    else if (stdin.kind === 'literal') this.script(stdin.text, depth + 1);
    else this.flag('dangerous', `Pipes generated commands into ${name}.`);
  }

  private interpreter(
    name: string,
    args: Word[],
    cwds: string[],
    depth: number,
    stdin: StdinSource | undefined,
  ): void {
    const codes = inlineCode(name, args);
    if (codes.length) {
      this.inline(name, codes, cwds, depth);
      return;
    }
    if (/awk$|sed$/.test(name)) {
      // `-f file`: a file of the repository is like any script; one this line writes is not.
      args.forEach((w, i) => {
        if (w.text === '-f' && args[i + 1]) this.runsFile(args[i + 1]!, `${name} runs`);
      });
      return;
    }
    const scriptFile = args.find((w) => w.dynamic || !w.text.startsWith('-'));
    if (scriptFile && !(!scriptFile.dynamic && STDIN_FILES.has(scriptFile.text))) {
      if (!args.some((w) => w.text === '-m')) this.runsFile(scriptFile, `${name} runs`);
      return;
    }
    if (stdin?.kind === 'download') this.flag('dangerous', `Pipes a download into ${name}.`);
    else if (stdin?.kind === 'literal')
      this.inline(
        name,
        [{ language: name, code: { text: stdin.text, dynamic: false, glob: false } }],
        cwds,
        depth,
      );
    else if (stdin?.kind === 'unknown') this.flag('dangerous', `Pipes generated code into ${name}.`);
    else this.readsStdin(name, args, stdin);
  }

  /**
   * A shell or interpreter with no script reads its program from stdin: a file is like running
   * it; nothing at all means commands typed in later (through the process tool's write).
   */
  private readsStdin(name: string, args: Word[], stdin: StdinSource | undefined): void {
    if (stdin?.kind === 'file') this.runsFile(stdin.file, `${name} reads`);
    else if (
      !stdin &&
      !args.some((w) => ONLY_ASKS_VERSION.test(w.text) || PROGRAM_FROM_REPOSITORY.test(w.text))
    )
      this.flag('dangerous', `${name} with no script reads commands from its input at run time.`);
  }

  /** Code given on the command line to another language (see inline-code.ts). */
  private inline(name: string, codes: InlineCode[], cwds: string[], depth: number): void {
    for (const { language, code } of codes) {
      if (code.dynamic) {
        this.flag('dangerous', `${name} runs code computed at run time.`);
        continue;
      }
      const found = readInlineCode(language, code.text);
      if (found.unreadable) this.flag('dangerous', `The ${name} script could not be checked.`);
      if (found.computesCode) this.flag('dangerous', `${name} code builds or evaluates code at run time.`);
      if (found.destructive.length)
        this.flag(
          'dangerous',
          `${name} code deletes, links, renames or signals (${found.destructive.join(', ')}).`,
        );
      if (found.runsPrograms) {
        this.flag('dangerous', `${name} code runs other programs.`);
        // Hard blocks stay hard when the command is a visible string: `system("kill -9 -1")`.
        const strings = found.strings.slice(0, MAX_CODE_STRINGS);
        for (const command of [...found.commands, ...strings, strings.join(' ')])
          if (command.trim()) this.script(command, depth + 1);
      }
      for (const target of found.writes)
        this.paths.checkWrite(
          this.findings,
          { text: target, dynamic: false, glob: false },
          cwds,
          `${name} writes to`,
        );
      for (const p of pathLike(found.strings, this.options.home))
        if (this.paths.isSensitive(p)) this.flag('dangerous', `${name} code names ${p}.`);
    }
  }
}

export function classifyCommand(command: string, options: ClassifyOptions): CommandRisk {
  const classifier = new Classifier(options);
  if (command.includes('\0')) {
    classifier.findings.flag('dangerous', 'The command contains a NUL byte.');
    return classifier.findings.result();
  }
  classifier.script(command, 0);
  classifier.finish();
  return classifier.findings.result();
}
