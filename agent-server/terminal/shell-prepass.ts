import * as path from 'node:path';
import type { ShNode } from 'mvdan-sh';
import type { Word } from './risk.js';
import { flatten, nameOf, type ShellOps } from './shell-ast.js';
import { syntax, type WordContext } from './shell-words.js';

/**
 * Passes over a whole script before its commands are judged one by one: where it may `cd`,
 * which files it writes (so running them afterwards is seen), and whether arithmetic could run
 * a command hidden in a string.
 */
export const DOWNLOADERS = new Set(['curl', 'wget', 'fetch', 'aria2c', 'http', 'https', 'lwp-request']);

/** curl -o/-O, wget without `-O -`: the file name may come from the server. */
function downloadsToFile(name: string, words: Word[]): boolean {
  const texts = words.slice(1).map((w) => w.text);
  if (name === 'curl') return texts.some((t) => /^(-[a-zA-Z]*[oO]|--output|--remote-name(-all)?)$/.test(t));
  if (name === 'wget')
    return !texts.some((t, i) => t === '--spider' || t === '-O-' || (t === '-O' && texts[i + 1] === '-'));
  return DOWNLOADERS.has(name) && name !== 'http' && name !== 'https';
}

/** Directories the command may `cd` into before a relative path is used. */
export function possibleDirectories(file: ShNode, ctx: WordContext): string[] {
  const dirs = new Set<string>(['.']);
  syntax.Walk(file, (node) => {
    if (node && syntax.NodeType(node) === 'CallExpr') {
      const words = flatten(node.Args, ctx);
      const name = nameOf(words);
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

/** Files written by redirects and copying programs, so `source`-ing them later is seen. */
export function writtenFiles(
  file: ShNode,
  ctx: WordContext,
  ops: ShellOps,
): { files: Set<string>; unknown: boolean } {
  const files = new Set<string>();
  let unknown = false;
  const add = (w: Word | undefined): void => {
    if (!w) return;
    if (w.dynamic) unknown = true;
    else files.add(path.normalize(w.text));
  };
  syntax.Walk(file, (node) => {
    if (!node) return true;
    const type = syntax.NodeType(node);
    if (type === 'Stmt') {
      for (const redir of node.Redirs as ShNode[])
        if (ops.writes.has(redir.Op) && redir.Word) flatten([redir.Word], ctx).forEach(add);
    } else if (type === 'CallExpr') {
      const words = flatten(node.Args, ctx);
      const name = nameOf(words);
      const operands = words.slice(1).filter((w) => w.dynamic || !w.text.startsWith('-'));
      if (name === 'tee' || name === 'sed') operands.forEach(add);
      else if (['cp', 'mv', 'install', 'ln', 'rsync'].includes(name)) add(operands[operands.length - 1]);
      else if (name === 'dd') words.filter((w) => w.text.startsWith('of=')).forEach(add);
      else if (!name || downloadsToFile(name, words)) unknown = true;
    }
    return true;
  });
  return { files, unknown };
}

/** bash evaluates `$(...)` hidden in a variable's value when it is used in arithmetic. */
export function hidesCommandInArithmetic(file: ShNode): boolean {
  let arithmetic = false;
  let hiddenCommand = false;
  syntax.Walk(file, (node) => {
    if (!node) return true;
    const type = syntax.NodeType(node);
    if (['ArithmExp', 'ArithmCmd', 'LetClause', 'TestClause'].includes(type)) arithmetic = true;
    if ((type === 'SglQuoted' || type === 'Lit') && /\$\(|`/.test(node.Value ?? '')) hiddenCommand = true;
    return true;
  });
  return arithmetic && hiddenCommand;
}
