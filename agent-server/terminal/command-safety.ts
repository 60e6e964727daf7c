import * as path from 'node:path';
import type { ShNode, ShParser } from 'mvdan-sh';
import { unwrapCommand, type WrapperHooks } from './command-wrappers.js';
import { PathRisk } from './path-risk.js';
import { checkProgram, type RuleContext } from './program-rules.js';
import { Findings, programName, type ClassifyOptions, type CommandRisk, type Word } from './risk.js';
import { syntax, wordValue, type WordContext } from './shell-words.js';

export type { ClassifyOptions, CommandRisk, RiskLevel } from './risk.js';
export { loadShellSyntax } from './shell-words.js';

/**
 * Classifies a command line before it runs, by parsing it (mvdan/sh's parser) and looking at
 * every simple command it contains: inside `$(...)`, subshells, pipelines, `;`/`&&`/`||`,
 * behind env prefixes and wrappers (`env`, `command`, `exec`, `nice`, `xargs`, `sudo`, ...),
 * and inside `bash -c '...'` strings. Unparseable or run-time-computed commands are never safe.
 * What each program does with its arguments is judged in program-rules.ts.
 */
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
/** One parser for every call: Parse is synchronous, and creating a parser is most of the cost. */
let parser: ShParser;
let OPS: ReturnType<typeof resolveOps>;

function ensureParser(): void {
  if (parser) return;
  if (!syntax)
    throw new Error('The shell parser is not loaded: await loadShellSyntax() before classifyCommand().');
  parser = syntax.NewParser();
  OPS = resolveOps();
}

/** Ops resolved from the parser itself, so a parser upgrade cannot silently renumber them. */
function resolveOps() {
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
}

/** What a pipeline feeds into a command's stdin, when a shell reads it. */
type StdinSource = { kind: 'literal'; text: string } | { kind: 'download' } | { kind: 'unknown' };

class Classifier {
  readonly findings = new Findings();
  private readonly paths: PathRisk;

  constructor(private readonly options: ClassifyOptions) {
    this.paths = new PathRisk(options);
  }

  private flag(level: 'dangerous' | 'blocked', reason: string): void {
    this.findings.flag(level, reason);
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
    for (const target of flatten([redir.Word], ctx)) {
      this.paths.checkWrite(this.findings, target, cwds, 'Redirects output to');
    }
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
    words = unwrapCommand(words, this.wrapperHooks(depth));
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
    checkProgram(name, args, this.ruleContext(cwds, depth));
  }

  private wrapperHooks(depth: number): WrapperHooks {
    return {
      findings: this.findings,
      nested: (word: Word, via: string) => this.nested(word, depth, via),
      script: (text: string) => this.script(text, depth + 1),
    };
  }

  private ruleContext(cwds: string[], depth: number): RuleContext {
    return {
      findings: this.findings,
      paths: this.paths,
      cwds,
      // `find -exec CMD`: the command find runs, judged like any other.
      checkInner: (words) => {
        const inner = unwrapCommand(words, this.wrapperHooks(depth));
        if (!inner.length) return;
        if (inner[0]!.dynamic) this.flag('dangerous', 'find runs a program computed at run time.');
        else checkProgram(path.basename(inner[0]!.text), inner.slice(1), this.ruleContext(cwds, depth));
      },
    };
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
}

function flatten(args: ShNode[], ctx: WordContext): Word[] {
  const out: Word[] = [];
  for (const arg of args) {
    const v = wordValue(arg, ctx);
    for (const text of v.values) out.push({ text, dynamic: v.dynamic, glob: v.glob });
  }
  return out;
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
  ensureParser();
  const classifier = new Classifier(options);
  if (command.includes('\0')) {
    classifier.findings.flag('dangerous', 'The command contains a NUL byte.');
    return classifier.findings.result();
  }
  classifier.script(command, 0);
  return classifier.findings.result();
}
