import * as path from 'node:path';
import { checkGit } from './git-rules.js';
import type { PathRisk } from './path-risk.js';
import { operands, type Findings, type Word } from './risk.js';

/**
 * What one program does with its arguments: deletes, disk writes, power, history rewrites.
 * Wrappers are already peeled off (command-wrappers.ts) and words resolved (shell-words.ts).
 */
const POWER = new Set(['shutdown', 'reboot', 'halt', 'poweroff', 'telinit', 'kexec']);
const FORMATTERS =
  /^(mkfs(\..+)?|mke2fs|mkswap|wipefs|mkntfs|mkdosfs|mkfs\.[a-z0-9]+|blkdiscard|sgdisk|fdisk|sfdisk|parted)$/;

export interface RuleContext {
  findings: Findings;
  paths: PathRisk;
  /** Folders the command line may have `cd`-ed into ('.' is where it starts). */
  cwds: string[];
  /** Checks a command another program runs (`find -exec ...`). */
  checkInner(words: Word[]): void;
  /** A command string a shell will run (`git -c alias.x='!...'`); `via` names how. */
  nested(word: Word, via: string): void;
  /** A literal script to classify. */
  script(text: string): void;
  /** A recursive delete allowed only because it is a build folder (void if the line makes links). */
  buildFolderDeleted(text: string): void;
}

export function checkProgram(name: string, args: Word[], ctx: RuleContext): void {
  if (FORMATTERS.test(name)) ctx.findings.flag('blocked', `${name} formats or repartitions a disk.`);
  if (POWER.has(name)) ctx.findings.flag('blocked', `${name} shuts down or restarts the machine.`);
  if (name === 'init' && args.some((w) => /^[06sS]$/.test(w.text)))
    ctx.findings.flag('blocked', "init changes the machine's runlevel.");
  if (
    name === 'systemctl' &&
    args.some((w) => /^(poweroff|reboot|halt|kexec|emergency|rescue)$/.test(w.text))
  ) {
    ctx.findings.flag('blocked', 'systemctl would shut down or restart the machine.');
  }
  if (name === 'killall5') ctx.findings.flag('blocked', 'killall5 signals every process on the machine.');
  if (name === 'kill' || name === 'pkill' || name === 'killall') {
    if (name === 'kill' && args.some((w) => /^-0*1$/.test(w.text)))
      ctx.findings.flag('blocked', 'kill -1 kills every process you own.');
    if (name === 'killall' && args.length === 0) ctx.findings.flag('dangerous', 'killall with no name.');
    // `kill $(...)` may be `kill -1`.
    if (args.some((w) => w.dynamic))
      ctx.findings.flag('dangerous', `${name} of processes chosen at run time.`);
  }
  switch (name) {
    case 'rm':
      checkRemove(args, ctx);
      break;
    case 'rmdir':
      break;
    case 'shred':
    case 'truncate':
    case 'tee':
      for (const w of operands(args)) ctx.paths.checkWrite(ctx.findings, w, ctx.cwds, `${name} writes to`);
      break;
    case 'cp':
    case 'mv':
    case 'install':
    case 'ln':
    case 'rsync': {
      const ops = operands(args);
      if (ops.length) ctx.paths.checkWrite(ctx.findings, ops[ops.length - 1]!, ctx.cwds, `${name} writes to`);
      if (name === 'mv') {
        for (const w of ops.slice(0, -1))
          ctx.paths.checkProtected(
            ctx.findings,
            w,
            ctx.cwds,
            `Moves ${w.text}, a protected system or home folder.`,
          );
      }
      break;
    }
    case 'sed':
    case 'perl':
      if (args.some((w) => /^-[a-zA-Z]*i/.test(w.text) || w.text.startsWith('--in-place'))) {
        for (const w of operands(args)) ctx.paths.checkWrite(ctx.findings, w, ctx.cwds, `${name} -i edits`);
      }
      break;
    case 'dd':
      for (const w of args)
        if (w.text.startsWith('of='))
          ctx.paths.checkWrite(ctx.findings, { ...w, text: w.text.slice(3) }, ctx.cwds, 'dd writes to');
      break;
    case 'chmod':
    case 'chown':
    case 'chgrp':
      if (args.some((w) => /^-[a-zA-Z]*R/.test(w.text) || w.text === '--recursive')) {
        for (const w of operands(args))
          ctx.paths.checkProtected(
            ctx.findings,
            w,
            ctx.cwds,
            `Recursive ${name} of ${w.text}, a protected system or home folder.`,
          );
      }
      break;
    case 'find':
      checkFind(args, ctx);
      break;
    case 'git':
      checkGit(args, ctx);
      break;
  }
}

function checkRemove(args: Word[], ctx: RuleContext): void {
  const flags: string[] = [];
  const targets: Word[] = [];
  let endOfOptions = false;
  for (const w of args) {
    if (!endOfOptions && w.text === '--') endOfOptions = true;
    else if (!endOfOptions && !w.dynamic && w.text.startsWith('-') && w.text !== '-') flags.push(w.text);
    else targets.push(w);
  }
  if (flags.includes('--no-preserve-root'))
    ctx.findings.flag('blocked', 'rm --no-preserve-root can wipe the whole machine.');
  const recursive = flags.some((f) => f === '--recursive' || (/^-[a-zA-Z]+$/.test(f) && /[rR]/.test(f)));
  if (!recursive) {
    for (const t of targets) {
      if (
        !t.dynamic &&
        ctx.paths.resolve(t.text, ctx.cwds).some((p) => ctx.paths.isCredential(p) || ctx.paths.isShellRc(p))
      ) {
        ctx.findings.flag('dangerous', `Deletes ${t.text}, a credential or shell startup file.`);
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
    const paths = ctx.paths.resolve(t.text, ctx.cwds);
    if (paths.some((p) => ctx.paths.isProtectedTree(p, t.glob))) {
      ctx.findings.flag(
        'blocked',
        `Recursive delete of ${t.text} would wipe the system or your home folder.`,
      );
    }
    if (ctx.cwds.length > 1 || !ctx.paths.isBuildFolder(t.text)) outsideBuild = true;
    else if (ctx.paths.throughLink(t.text)) {
      ctx.findings.flag(
        'dangerous',
        `Deletes through ${t.text}, which is or passes through a symbolic link.`,
      );
    } else ctx.buildFolderDeleted(t.text);
  }
  if (outsideBuild) ctx.findings.flag('dangerous', 'Recursive delete outside build folders.');
}

function checkFind(args: Word[], ctx: RuleContext): void {
  const deletes = args.some((w) => w.text === '-delete');
  const exec = args.findIndex((w) => w.text === '-exec' || w.text === '-execdir' || w.text === '-ok');
  let execRm = false;
  if (exec >= 0) {
    const end = args.findIndex((w, i) => i > exec && (w.text === ';' || w.text === '+'));
    const inner = args.slice(exec + 1, end < 0 ? undefined : end);
    execRm = inner[0] !== undefined && path.basename(inner[0].text) === 'rm';
    // `{}` is each file found: only known at run time.
    ctx.checkInner(inner.map((w) => (w.text.includes('{}') ? { ...w, dynamic: true } : w)));
  }
  if (!deletes && !execRm) return;
  const firstExpr = args.findIndex((w) => w.text.startsWith('-') || w.text === '(' || w.text === '!');
  const roots = firstExpr < 0 ? args : args.slice(0, firstExpr);
  for (const r of roots.length ? roots : [{ text: '.', dynamic: false, glob: false }]) {
    ctx.paths.checkProtected(
      ctx.findings,
      r,
      ctx.cwds,
      `find deleting under ${r.text} would wipe the system or your home folder.`,
    );
  }
  ctx.findings.flag('dangerous', 'find deletes files.');
}
