import * as path from 'node:path';
import type { ShNode, ShParser } from 'mvdan-sh';
import type { Word } from './risk.js';
import { syntax, wordValue, type WordContext } from './shell-words.js';

/** Small helpers over mvdan-sh's syntax tree, shared by the classifier's passes. */

/** One parser for every call: Parse is synchronous, and creating a parser is most of the cost. */
let parser: ShParser | undefined;
let ops: ShellOps | undefined;

export interface ShellOps {
  pipe: Set<number>;
  writes: Set<number>;
  dupOut: number;
  hereDocs: Set<number>;
  readIn: number;
}

export function shellParser(): { parser: ShParser; ops: ShellOps } {
  if (!parser || !ops) {
    if (!syntax)
      throw new Error('The shell parser is not loaded: await loadShellSyntax() before classifyCommand().');
    parser = syntax.NewParser();
    ops = resolveOps(parser);
  }
  return { parser, ops };
}

/** Ops resolved from the parser itself, so a parser upgrade cannot silently renumber them. */
function resolveOps(p: ShParser): ShellOps {
  const binary = (src: string): number => p.Parse(src, '').Stmts[0].Cmd.Op;
  const redir = (src: string): number => p.Parse(src, '').Stmts[0].Redirs[0].Op;
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
    readIn: redir('a < f'),
  };
}

export function flatten(args: ShNode[], ctx: WordContext): Word[] {
  const out: Word[] = [];
  for (const arg of args) {
    const v = wordValue(arg, ctx);
    for (const text of v.values) out.push({ text, dynamic: v.dynamic, glob: v.glob });
  }
  return out;
}

export function nameOf(words: Word[]): string {
  return words[0] && !words[0].dynamic ? path.basename(words[0].text) : '';
}

export function span(node: ShNode): string {
  return `${node.Pos().Offset()}:${node.End().Offset()}`;
}

export function firstCall(stmt: ShNode | undefined, pipe: Set<number>): ShNode | undefined {
  const cmd = stmt?.Cmd;
  if (!cmd) return undefined;
  const type = syntax.NodeType(cmd);
  if (type === 'CallExpr') return cmd;
  if (type === 'BinaryCmd' && pipe.has(cmd.Op)) return firstCall(cmd.X, pipe);
  return undefined;
}

export function lastCall(stmt: ShNode | undefined, pipe: Set<number>): ShNode | undefined {
  const cmd = stmt?.Cmd;
  if (!cmd) return undefined;
  const type = syntax.NodeType(cmd);
  if (type === 'CallExpr') return cmd;
  if (type === 'BinaryCmd' && pipe.has(cmd.Op)) return lastCall(cmd.Y, pipe);
  return undefined;
}

export function containsCall(node: ShNode, ctx: WordContext, match: (name: string) => boolean): boolean {
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
