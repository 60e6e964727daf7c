import type { ShNode, ShSyntax } from 'mvdan-sh';

/**
 * Turns mvdan-sh word nodes into the strings the shell would pass to a program, as far as
 * that is knowable before running: quotes removed, escapes applied, `~`/`$HOME` and
 * variables assigned literally earlier in the command substituted, braces expanded.
 * Anything computed at run time (`$(...)`, unknown `$VAR`) marks the word `dynamic`.
 */
export let syntax: ShSyntax;

let loading: Promise<void> | undefined;

/**
 * mvdan-sh is about 2 MB of GopherJS that takes hundreds of milliseconds to initialise, so it
 * loads with the first command to classify, not when the server starts.
 */
export function loadShellSyntax(): Promise<void> {
  loading ??= import('mvdan-sh').then((mod) => {
    const sh =
      (mod as { default?: { syntax: ShSyntax } }).default ?? (mod as unknown as { syntax: ShSyntax });
    syntax = sh.syntax;
  });
  return loading;
}

export interface WordValue {
  /** Every string the word can expand to (brace expansion gives several). */
  values: string[];
  /** Part of the word is only known at run time. */
  dynamic: boolean;
  /** Contains an unquoted glob character (`*`, `?`, `[`). */
  glob: boolean;
}

export interface WordContext {
  home: string;
  /** Variables assigned a literal value earlier in the same command line. */
  vars: ReadonlyMap<string, string>;
}

/** Marks a character that came from quotes or an escape (so it is never a glob or brace). */
const QUOTED = '\u0000';
/** Marks where the shell splits an unquoted expansion into separate words (IFS whitespace). */
const SPLIT = '\u0001';

function quoteAll(text: string): string {
  let out = '';
  for (const ch of text) out += QUOTED + ch;
  return out;
}

function unescapeUnquoted(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch === '\\' && i + 1 < raw.length) {
      const next = raw[++i]!;
      if (next !== '\n') out += QUOTED + next;
    } else out += ch;
  }
  return out;
}

function unescapeDoubleQuoted(raw: string): string {
  return raw.replace(/\\([$`"\\\n])/g, (_m, c: string) => (c === '\n' ? '' : c));
}

/** `$'...'` strings: the escapes bash understands there. */
function decodeAnsiC(raw: string): string {
  return raw.replace(
    /\\(x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{1,4}|U[0-9A-Fa-f]{1,8}|[0-7]{1,3}|c.|.)/g,
    (_m, esc: string) => {
      const kind = esc[0]!;
      if (kind === 'x' || kind === 'u' || kind === 'U')
        return String.fromCodePoint(parseInt(esc.slice(1), 16));
      if (/[0-7]/.test(kind)) return String.fromCharCode(parseInt(esc, 8));
      if (kind === 'c') return String.fromCharCode(esc.charCodeAt(1) & 0x1f);
      const simple: Record<string, string> = {
        n: '\n',
        t: '\t',
        r: '\r',
        a: '\x07',
        b: '\b',
        e: '\x1b',
        E: '\x1b',
        f: '\f',
        v: '\v',
      };
      return simple[kind] ?? kind;
    },
  );
}

function isPlainParam(node: ShNode): boolean {
  return (
    !node.Exp &&
    !node.Slice &&
    !node.Repl &&
    !node.Index &&
    !node.Length &&
    !node.Excl &&
    !node.Width &&
    !node.Names
  );
}

interface PartValue {
  pattern: string;
  dynamic: boolean;
}

/**
 * An unquoted expansion is split into words and globbed, but never brace-expanded:
 * `c="kill -0 -1"; $c` runs `kill` with two arguments.
 */
function splitUnquoted(value: string): string {
  // An empty unquoted `$x` disappears: `x=; $x rm -rf /` runs rm.
  if (value === '') return SPLIT;
  let out = '';
  for (const ch of value) {
    if (ch === ' ' || ch === '\t' || ch === '\n') out += SPLIT;
    else if ('*?['.includes(ch)) out += ch;
    else out += QUOTED + ch;
  }
  return out;
}

function paramValue(node: ShNode, ctx: WordContext, quoted: boolean): PartValue {
  const name: string = node.Param?.Value ?? '';
  if (isPlainParam(node)) {
    const known = name === 'HOME' ? ctx.home : ctx.vars.get(name);
    if (known !== undefined)
      return { pattern: quoted ? quoteAll(known) : splitUnquoted(known), dynamic: false };
  }
  return { pattern: '', dynamic: true };
}

function partValue(part: ShNode, ctx: WordContext, first: boolean, split: boolean): PartValue {
  switch (syntax.NodeType(part)) {
    case 'Lit': {
      let raw: string = part.Value;
      if (first && raw.startsWith('~')) {
        const m = /^~([A-Za-z0-9._-]*)(?=\/|$)/.exec(raw);
        if (m) {
          const user = m[1]!;
          const dir = user === '' ? ctx.home : user === 'root' ? '/root' : `/home/${user}`;
          return { pattern: quoteAll(dir) + unescapeUnquoted(raw.slice(m[0].length)), dynamic: false };
        }
      }
      return { pattern: unescapeUnquoted(raw), dynamic: false };
    }
    case 'SglQuoted':
      return { pattern: quoteAll(part.Dollar ? decodeAnsiC(part.Value) : part.Value), dynamic: false };
    case 'DblQuoted': {
      let pattern = '';
      let dynamic = false;
      for (const inner of part.Parts as ShNode[]) {
        const type = syntax.NodeType(inner);
        if (type === 'Lit') pattern += quoteAll(unescapeDoubleQuoted(inner.Value));
        else if (type === 'ParamExp') {
          const v = paramValue(inner, ctx, true);
          pattern += v.pattern;
          dynamic ||= v.dynamic;
        } else dynamic = true;
      }
      return { pattern, dynamic };
    }
    case 'ParamExp':
      return paramValue(part, ctx, !split);
    default:
      // CmdSubst, ArithmExp, ProcSubst, ExtGlob: only known when run.
      return { pattern: '', dynamic: true };
  }
}

/** Bash brace expansion (`{a,b}`, `{1..3}`) on unquoted braces. */
function expandBraces(pattern: string, limit = 64): string[] {
  let depth = 0;
  let open = -1;
  const commas: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === QUOTED) {
      i++;
      continue;
    }
    if (ch === '{') {
      if (depth === 0) {
        open = i;
        commas.length = 0;
      }
      depth++;
    } else if (ch === ',' && depth === 1) commas.push(i);
    else if (ch === '}' && depth > 0) {
      depth--;
      if (depth !== 0) continue;
      const pre = pattern.slice(0, open);
      const post = pattern.slice(i + 1);
      const body = pattern.slice(open + 1, i);
      let options: string[];
      if (commas.length) {
        const cuts = [open, ...commas, i];
        options = cuts.slice(1).map((end, k) => pattern.slice(cuts[k]! + 1, end));
      } else {
        const range = /^(-?\d+)\.\.(-?\d+)$|^([a-zA-Z])\.\.([a-zA-Z])$/.exec(body);
        if (!range) continue; // `{x}` is literal
        options = [];
        if (range[1] !== undefined) {
          const [a, b] = [Number(range[1]), Number(range[2])];
          for (let n = a; options.length < limit && (a <= b ? n <= b : n >= b); n += a <= b ? 1 : -1)
            options.push(String(n));
        } else {
          const [a, b] = [range[3]!.charCodeAt(0), range[4]!.charCodeAt(0)];
          for (let n = a; options.length < limit && (a <= b ? n <= b : n >= b); n += a <= b ? 1 : -1)
            options.push(String.fromCharCode(n));
        }
      }
      const out: string[] = [];
      for (const option of options) {
        for (const rest of expandBraces(option + post, limit)) {
          out.push(pre + rest);
          if (out.length >= limit) return out;
        }
      }
      return out;
    }
  }
  return [pattern];
}

function hasGlob(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === QUOTED) i++;
    else if ('*?['.includes(pattern[i]!)) return true;
  }
  return false;
}

function unmark(pattern: string): string {
  return pattern.split(QUOTED).join('');
}

/**
 * `split: false` for assignment values (`x=$y` does not split); arguments split by default.
 * Empty fields from splitting are dropped, as the shell drops them.
 */
export function wordValue(word: ShNode, ctx: WordContext, split = true): WordValue {
  let pattern = '';
  let dynamic = false;
  (word.Parts as ShNode[]).forEach((part, i) => {
    const v = partValue(part, ctx, i === 0, split);
    pattern += v.pattern;
    dynamic ||= v.dynamic;
  });
  const fields = expandBraces(pattern).flatMap((p) =>
    p.includes(SPLIT) ? p.split(SPLIT).filter((f) => f !== '') : [p],
  );
  return { values: fields.map(unmark), dynamic, glob: fields.some(hasGlob) };
}

/** The literal value of a word when it has exactly one, else undefined. */
export function literalWord(word: ShNode, ctx: WordContext): string | undefined {
  const v = wordValue(word, ctx);
  return !v.dynamic && v.values.length === 1 ? v.values[0] : undefined;
}
