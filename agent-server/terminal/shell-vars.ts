import type { ShNode } from 'mvdan-sh';
import { syntax, wordValue } from './shell-words.js';

/**
 * Variables the classifier may substitute before judging a command (`x=rm; $x -rf /`).
 * A variable counts as known only when every way the script could set it is visible as a
 * literal `x=value`. Anything else that can set variables unseen (`read`, `eval`, `source`,
 * `printf -v`, namerefs, arithmetic, `for x in`, `${x:=...}`) makes it unknown, and an unknown
 * variable is dynamic: never trusted as safe.
 */
const SETS_VARIABLES_UNSEEN = new Set([
  'source',
  '.',
  'read',
  'mapfile',
  'readarray',
  'printf',
  'getopts',
  'let',
  'unset',
  'declare',
  'typeset',
  'local',
  'export',
  'readonly',
  'set',
  'shift',
  'command',
  'builtin',
]);

/** Text in an eval string that could set a variable without naming it plainly. */
const EVAL_MAY_HIDE_NAMES =
  /[`$\\]|\b(eval|source|read|mapfile|readarray|printf|declare|typeset|local|export|let|getopts|command|builtin)\b|(^|[\s;&|])\.\s/;

function mentions(text: string, name: string): boolean {
  return new RegExp(`(?<![A-Za-z0-9_])${name}(?![A-Za-z0-9_])`).test(text);
}

export function literalAssignments(file: ShNode, source: string, home: string): Map<string, string> {
  const vars = new Map<string, string>();
  const dynamicVars = new Set<string>();
  /** Byte offsets where a name may legitimately appear: `x=` and plain `$x`. */
  const seen = new Set<number>();
  let unseenSetter = false;
  const calls: ShNode[] = [];
  syntax.Walk(file, (node) => {
    if (!node) return true;
    switch (syntax.NodeType(node)) {
      case 'Assign': {
        const name: string | undefined = node.Name?.Value;
        if (!name) {
          unseenSetter = true; // `declare "$n=x"` and the like
          return true;
        }
        seen.add(node.Name.Pos().Offset());
        const v = node.Value
          ? wordValue(node.Value, { home, vars }, false)
          : { values: [''], dynamic: false, glob: false };
        if (v.dynamic || v.values.length !== 1 || node.Append || node.Array || node.Index || node.Naked)
          dynamicVars.add(name);
        else if (vars.has(name) && vars.get(name) !== v.values[0]) dynamicVars.add(name);
        else vars.set(name, v.values[0]!);
        break;
      }
      case 'ParamExp':
        if (node.Param && !node.Exp && !node.Excl && !node.Index && !node.Repl && !node.Slice)
          seen.add(node.Param.Pos().Offset());
        break;
      case 'DeclClause': {
        const variant: string = node.Variant?.Value ?? '';
        const opts = (node.Args as ShNode[]).filter((a) => !a.Name && a.Value?.Lit?.()?.startsWith('-'));
        if (variant !== 'export' || opts.length) unseenSetter = true; // namerefs, -i, -a, ...
        break;
      }
      case 'ArithmCmd':
      case 'ArithmExp':
      case 'ForClause':
      case 'SelectClause':
        unseenSetter = true;
        break;
      case 'CallExpr':
        if ((node.Args as ShNode[]).length) calls.push(node);
        break;
    }
    return true;
  });
  // Any other mention of the name (`for x in`, `read x`, `'x=...'` in an eval string) may set it.
  const bytes = Buffer.from(source, 'utf8').toString('latin1');
  for (const name of vars.keys()) {
    if (name === 'IFS') return new Map(); // changes how every expansion splits
    const mention = new RegExp(`(?<![A-Za-z0-9_])${name}(?![A-Za-z0-9_])`, 'g');
    for (const m of bytes.matchAll(mention)) {
      if (!seen.has(m.index)) {
        dynamicVars.add(name);
        break;
      }
    }
  }
  if (dynamicVars.has('IFS')) return new Map();
  for (const name of dynamicVars) vars.delete(name);
  // A program that may set variables (`read`, or one computed at run time: `x=read; $x c`).
  for (const call of calls) {
    const words = (call.Args as ShNode[]).map((w) => wordValue(w, { home, vars }));
    const head = words[0]!;
    if (head.dynamic || head.values.some((text) => SETS_VARIABLES_UNSEEN.has(text))) unseenSetter = true;
    if (head.values[0] === 'eval') {
      // eval's text is a script run in this shell: a name it mentions may be set by it.
      if (words.some((w) => w.dynamic)) unseenSetter = true;
      const text = words
        .slice(1)
        .flatMap((w) => w.values)
        .join(' ');
      if (EVAL_MAY_HIDE_NAMES.test(text)) unseenSetter = true;
      for (const name of [...vars.keys()]) if (mentions(text, name)) vars.delete(name);
    }
  }
  if (unseenSetter) return new Map();
  return vars;
}
