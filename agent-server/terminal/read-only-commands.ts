import type { ShNode } from 'mvdan-sh';
import { classifyCommand } from './command-safety.js';
import type { ClassifyOptions, Word } from './risk.js';
import { flatten, nameOf, shellParser } from './shell-ast.js';
import { literalAssignments } from './shell-vars.js';
import { syntax, type WordContext } from './shell-words.js';

/**
 * Whether a command line only reads: an allowlist, not a blocklist. Every simple command in it
 * (joined by `|`, `&&`, `||`, `;`) must be a program known to only read, with no option that
 * writes a file or runs another program; words must be literal (no `$(...)`, no variables only
 * known at run time), redirections may only read a file or go to /dev/null, and the line must
 * also be `ordinary` for the command-safety classifier. Anything else is refused with a reason.
 * (Program configuration in the repository, such as git's `core.fsmonitor`, is what the
 * sandbox contains, as for any command.)
 */
/**
 * `gitDirs`: where each git call in the command runs (`.` or its `-C` folder, relative to the
 * command's directory), so the caller can check those repositories' own config first.
 */
export type ReadOnlyVerdict = { readOnly: true; gitDirs: string[] } | { readOnly: false; reason: string };

type ArgsCheck = (args: Word[]) => string | undefined;

const anyArgs: ArgsCheck = () => undefined;

/** Refuses any of `options` (exactly, or as `--opt=value` / a short one with its value attached). */
function without(...options: string[]): ArgsCheck {
  return (args) => {
    for (const a of args) {
      const hit = options.find(
        (o) =>
          a.text === o ||
          (o.startsWith('--') && a.text.startsWith(`${o}=`)) ||
          // A short one anywhere in a cluster (`-no` holds `-o`).
          (/^-[a-zA-Z]$/.test(o) && /^-[a-zA-Z0-9]+$/.test(a.text) && a.text.includes(o[1]!)),
      );
      if (hit) return `option ${hit} writes files or runs programs`;
    }
    return undefined;
  };
}

function operands(args: Word[]): Word[] {
  return args.filter((a) => !a.text.startsWith('-'));
}

/** Programs whose second operand is a file they write (`uniq in out`, `xxd in out`). */
const atMostOneOperand =
  (name: string): ArgsCheck =>
  (args) =>
    operands(args).length > 1 ? `${name} writes its second file operand` : undefined;

const FIND_WRITES = [
  '-exec',
  '-execdir',
  '-ok',
  '-okdir',
  '-delete',
  '-fprint',
  '-fprint0',
  '-fprintf',
  '-fls',
];

/** git subcommands that only read, with the options that would make them write or run things. */
const GIT_READS: Record<string, ArgsCheck> = {
  log: without('--output', '--ext-diff', '--textconv'),
  show: without('--output', '--ext-diff', '--textconv'),
  diff: without('--output', '--ext-diff', '--textconv', '--no-index'),
  status: anyArgs,
  blame: without('--contents', '--textconv'),
  grep: without('-O', '--open-files-in-pager', '--textconv'),
  'ls-files': anyArgs,
  'ls-tree': anyArgs,
  'rev-parse': anyArgs,
  'rev-list': anyArgs,
  'cat-file': without('--textconv', '--filters'),
  describe: anyArgs,
  shortlog: anyArgs,
  'merge-base': anyArgs,
  'name-rev': anyArgs,
  'for-each-ref': anyArgs,
  'show-ref': anyArgs,
  'count-objects': anyArgs,
  version: anyArgs,
  // Listing forms only: an operand would create or delete a branch, tag or remote.
  branch: (args) =>
    operands(args).length ||
    args.some((a) =>
      /^-(d|D|m|M|c|C|f|u)$|^--(delete|move|copy|force|set-upstream|unset-upstream|edit-description)/.test(
        a.text,
      ),
    )
      ? 'git branch with a name changes branches; only listing is read-only'
      : undefined,
  tag: (args) =>
    args.some((a) => a.text === '-l' || a.text === '--list') || args.length === 0
      ? undefined
      : 'git tag without --list creates or deletes tags; only listing is read-only',
  remote: (args) =>
    args.every((a) => a.text === '-v' || a.text === '--verbose')
      ? undefined
      : 'only `git remote` and `git remote -v` are read-only',
  stash: (args) =>
    ['list', 'show'].includes(args[0]?.text ?? '') ? undefined : 'only `git stash list|show` is read-only',
  worktree: (args) => (args[0]?.text === 'list' ? undefined : 'only `git worktree list` is read-only'),
  config: (args) =>
    args.some((a) => /^(--get|--get-all|--get-regexp|--list|-l)$/.test(a.text)) &&
    !args.some((a) =>
      /^(--add|--unset|--unset-all|--replace-all|--rename-section|--remove-section|-e|--edit)$/.test(a.text),
    )
      ? undefined
      : 'only reading git config (--get, --list) is read-only',
};

/** The folder a (judged read-only) git call runs in: its last `-C`, relative to the command's. */
function gitDirOf(words: Word[]): string {
  let dir = '.';
  for (let i = 1; words[i]?.text.startsWith('-'); i++) {
    if (words[i]!.text === '-C' && words[i + 1]) dir = words[++i]!.text;
  }
  return dir;
}

function checkGit(args: Word[]): string | undefined {
  // Global options before the subcommand: `-C dir` and `--no-pager` only (not `-c`, which sets config).
  let i = 0;
  while (args[i]?.text.startsWith('-')) {
    const t = args[i]!.text;
    if (t === '-C') i += 2;
    else if (t === '--no-pager' || t === '-P') i += 1;
    else return `git ${t} is not allowed before a read-only subcommand`;
  }
  const sub = args[i]?.text ?? '';
  const check = GIT_READS[sub];
  if (!check) return sub ? `git ${sub} is not a read-only git command` : 'git needs a subcommand';
  return check(args.slice(i + 1));
}

/** Programs that only read, each with what would make it do more. */
const READ_ONLY_PROGRAMS: Record<string, ArgsCheck> = {
  ls: anyArgs,
  cat: anyArgs,
  head: anyArgs,
  tail: without('-f', '-F', '--follow'),
  wc: anyArgs,
  pwd: anyArgs,
  echo: anyArgs,
  printf: without('-v'),
  basename: anyArgs,
  dirname: anyArgs,
  realpath: anyArgs,
  readlink: anyArgs,
  stat: anyArgs,
  file: anyArgs,
  du: anyArgs,
  df: anyArgs,
  tree: without('-o'),
  which: anyArgs,
  true: anyArgs,
  false: anyArgs,
  uname: anyArgs,
  whoami: anyArgs,
  nl: anyArgs,
  cut: anyArgs,
  tr: anyArgs,
  rev: anyArgs,
  column: anyArgs,
  comm: anyArgs,
  cmp: anyArgs,
  diff: without('--output'),
  md5sum: anyArgs,
  sha1sum: anyArgs,
  sha256sum: anyArgs,
  grep: anyArgs,
  egrep: anyArgs,
  fgrep: anyArgs,
  rg: without('--pre', '--pre-glob', '--search-zip', '-z'),
  find: without(...FIND_WRITES),
  sort: without('-o', '--output', '--compress-program'),
  uniq: atMostOneOperand('uniq'),
  jq: anyArgs,
  tac: anyArgs,
  od: anyArgs,
  hexdump: anyArgs,
  xxd: (args) =>
    args.some((a) => a.text === '-r' || a.text === '-revert')
      ? 'xxd -r writes binary'
      : atMostOneOperand('xxd')(args),
  strings: anyArgs,
  seq: anyArgs,
  date: without('-s', '--set'),
  git: checkGit,
};

const ALLOWED_NODES = new Set([
  'File',
  'Stmt',
  'CallExpr',
  'BinaryCmd',
  'Word',
  'Lit',
  'SglQuoted',
  'DblQuoted',
  'Redirect',
]);

function judgeCall(words: Word[]): string | undefined {
  const name = nameOf(words);
  if (!name) return 'the program is only known at run time';
  if (words[0]!.text.includes('/')) return `run programs by name, not by path (${words[0]!.text})`;
  const dynamic = words.find((w) => w.dynamic);
  if (dynamic) return `${name} has an argument only known at run time`;
  const check = READ_ONLY_PROGRAMS[name];
  if (!check) return `${name} is not one of the read-only programs`;
  const refused = check(words.slice(1));
  return refused && !refused.startsWith(name) ? `${name}: ${refused}` : refused;
}

export function readOnlyCommand(command: string, options: ClassifyOptions): ReadOnlyVerdict {
  const refuse = (reason: string): ReadOnlyVerdict => ({ readOnly: false, reason });
  const risk = classifyCommand(command, options);
  if (risk.level !== 'ordinary') return refuse(risk.reasons.join(' ') || `it is ${risk.level}`);
  const { parser, ops } = shellParser();
  let file: ShNode;
  try {
    file = parser.Parse(command, '');
  } catch {
    return refuse('it could not be parsed');
  }
  const ctx: WordContext = { home: options.home, vars: literalAssignments(file, command, options.home) };
  let reason: string | undefined;
  const gitDirs = new Set<string>();
  syntax.Walk(file, (node) => {
    if (!node || reason) return false;
    const type = syntax.NodeType(node);
    if (!ALLOWED_NODES.has(type)) {
      reason = `it uses shell syntax beyond simple commands (${type})`;
      return false;
    }
    if (type === 'Stmt' && (node.Background || node.Coprocess)) reason = 'it starts a background job';
    if (type === 'Redirect') {
      const target = flatten([node.Word], ctx)[0];
      const toNull = target && !target.dynamic && target.text === '/dev/null';
      const dup = node.Op === ops.dupOut && /^(\d+|-)$/.test(target?.text ?? '');
      if (!(node.Op === ops.readIn || dup || (ops.writes.has(node.Op) && toNull)))
        reason = 'it redirects output to a file';
    }
    if (type === 'CallExpr') {
      if ((node.Assigns as ShNode[]).length) reason = 'it sets variables';
      else {
        const words = flatten(node.Args, ctx);
        reason = judgeCall(words);
        if (!reason && nameOf(words) === 'git') gitDirs.add(gitDirOf(words));
      }
    }
    return !reason;
  });
  return reason ? refuse(reason) : { readOnly: true, gitDirs: [...gitDirs] };
}
