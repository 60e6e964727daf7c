import type { RuleContext } from './program-rules.js';
import type { Word } from './risk.js';

/**
 * git: history rewrites and deletes, and the config keys whose values git runs as commands
 * (`alias.x = !cmd`, `core.sshCommand`, `core.fsmonitor`, filters, ...). Given with `-c` they
 * run now and are classified as the command they are; written with `git config` they run
 * later, from every git command the user types, outside the sandbox: always dangerous.
 */
const COMMAND_KEYS =
  /^(core\.(sshcommand|pager|editor|fsmonitor|askpass|gitproxy)|diff\.external|diff\..+\.(textconv|command)|merge\..+\.driver|filter\..+\.(clean|smudge|process)|credential(\..+)?\.helper|sequence\.editor|gpg(\..+)?\.program|pager\..+|uploadpack\.packobjectshook|web\.browser|browser\..+\.cmd|man\..+\.cmd|(diff|merge)tool\..+\.cmd|submodule\..+\.update|sendemail\.(tocmd|cccmd|smtpserver)|ssh\.variant)$/;
/** Keys that make git read more config or run files from a folder. */
const TRUST_KEYS =
  /^(include\.path|includeif\..+\.path|core\.hookspath|core\.worktree|remote\..+\.(uploadpack|receivepack))$/;
const GLOBAL_VALUE_OPTIONS = new Set(['-C', '--git-dir', '--work-tree', '--namespace', '--super-prefix']);

export function checkGit(args: Word[], ctx: RuleContext): void {
  let i = 0;
  for (; i < args.length; i++) {
    const w = args[i]!;
    if (w.dynamic) {
      ctx.findings.flag('dangerous', 'git options computed at run time.');
      return;
    }
    if (!w.text.startsWith('-')) break;
    if (w.text === '-c') {
      const setting = args[++i];
      if (setting) checkSetting(setting, ctx, false);
    } else if (w.text === '--config-env' || w.text.startsWith('--config-env=')) {
      ctx.findings.flag('dangerous', 'git takes a setting from an environment variable (--config-env).');
      if (w.text === '--config-env') i++;
    } else if (w.text.startsWith('--exec-path=')) {
      ctx.findings.flag('dangerous', 'git runs its subcommands from another folder (--exec-path).');
    } else if (GLOBAL_VALUE_OPTIONS.has(w.text)) i++;
  }
  const [cmd, ...rest] = args.slice(i);
  if (!cmd) return;
  switch (cmd.text) {
    case 'config':
      checkConfigWrite(rest, ctx);
      break;
    case 'submodule': {
      // `git submodule foreach 'cmd'` runs cmd through the shell in every submodule.
      const i = rest.findIndex((w) => w.text === 'foreach');
      if (i >= 0)
        commandString(
          rest.slice(i + 1).filter((w) => !w.text.startsWith('--')),
          'git submodule foreach',
          ctx,
        );
      break;
    }
    case 'bisect':
      if (rest[0]?.text === 'run') ctx.checkInner(rest.slice(1));
      break;
    case 'rebase':
    case 'difftool':
    case 'mergetool':
    case 'grep':
    case 'filter-branch':
      // Options whose value is a command: rebase -x, difftool -x, grep -O, filter-branch --*-filter.
      rest.forEach((w, i) => {
        const attached = /^(--exec|--extcmd|--open-files-in-pager|--[a-z-]+-filter)=(.*)$/s.exec(w.text);
        if (attached) ctx.nested({ ...w, text: attached[2]! }, `git ${cmd.text} ${attached[1]}`);
        else if (/^(-x|--exec|--extcmd|--[a-z-]+-filter|-O.*|--open-files-in-pager)$/.test(w.text)) {
          if (w.text.startsWith('-O') && w.text.length > 2)
            ctx.nested({ ...w, text: w.text.slice(2) }, 'git grep -O');
          else if (w.text !== '-O' && w.text !== '--open-files-in-pager' && rest[i + 1])
            ctx.nested(rest[i + 1]!, `git ${cmd.text} ${w.text}`);
          else ctx.findings.flag('dangerous', `git ${cmd.text} ${w.text} runs a pager command.`);
        }
      });
      break;
    case 'push':
      if (
        rest.some(
          (w) =>
            /^(-f|--force|--force-with-lease|--force-if-includes|--mirror|--delete|-d)(=.*)?$/.test(w.text) ||
            /^-[a-zA-Z]*f[a-zA-Z]*$/.test(w.text) ||
            /^\+/.test(w.text) ||
            w.text.startsWith(':'),
        )
      )
        ctx.findings.flag('dangerous', 'git push that rewrites or deletes remote history.');
      break;
    case 'reset':
      if (rest.some((w) => w.text === '--hard' || w.text === '--merge' || w.text === '--keep'))
        ctx.findings.flag('dangerous', 'git reset --hard discards uncommitted work.');
      break;
    case 'clean':
      if (rest.some((w) => /^-[a-zA-Z]*f/.test(w.text) || w.text === '--force'))
        ctx.findings.flag('dangerous', 'git clean deletes untracked files.');
      break;
    case 'checkout':
      if (rest.some((w) => w.text === '--' || w.text === '.' || w.text === '-f' || w.text === '--force'))
        ctx.findings.flag('dangerous', 'git checkout that discards local changes.');
      break;
    case 'stash':
      if (rest.some((w) => w.text === 'clear' || w.text === 'drop'))
        ctx.findings.flag('dangerous', 'git stash clear/drop deletes stashed work.');
      break;
    case 'branch':
      if (rest.some((w) => w.text === '-D'))
        ctx.findings.flag('dangerous', 'git branch -D deletes a branch.');
      break;
  }
}

function commandString(words: Word[], via: string, ctx: RuleContext): void {
  if (words.some((w) => w.dynamic))
    ctx.findings.flag('dangerous', `${via} runs a command computed at run time.`);
  else if (words.length) ctx.script(words.map((w) => w.text).join(' '));
}

/** `git -c key=value` (runs now) or a `git config key value` write (runs later, unsandboxed). */
function checkSetting(setting: Word, ctx: RuleContext, persisted: boolean): void {
  const eq = setting.text.indexOf('=');
  const key = (eq < 0 ? setting.text : setting.text.slice(0, eq)).toLowerCase();
  const value = eq < 0 ? undefined : { ...setting, text: setting.text.slice(eq + 1) };
  checkKeyValue(key, setting.dynamic, value, ctx, persisted);
}

function checkKeyValue(
  key: string,
  keyDynamic: boolean,
  value: Word | undefined,
  ctx: RuleContext,
  persisted: boolean,
): void {
  if (keyDynamic) {
    ctx.findings.flag('dangerous', 'A git setting whose name is computed at run time.');
    return;
  }
  const alias = key.startsWith('alias.');
  if (!alias && !COMMAND_KEYS.test(key) && !TRUST_KEYS.test(key)) return;
  if (persisted)
    ctx.findings.flag(
      'dangerous',
      `Sets git's ${key}, which runs a command from later git commands, outside the sandbox.`,
    );
  if (TRUST_KEYS.test(key)) {
    ctx.findings.flag('dangerous', `Points git's ${key} at other files to load or run.`);
    return;
  }
  if (!value) return;
  if (value.dynamic) {
    ctx.findings.flag('dangerous', `git's ${key} is set to a command computed at run time.`);
    return;
  }
  if (alias) {
    // `!cmd` runs through the shell; anything else is a git subcommand with arguments.
    if (value.text.startsWith('!')) ctx.nested({ ...value, text: value.text.slice(1) }, `git ${key}`);
    else ctx.script(`git ${value.text}`);
    return;
  }
  if (/^(true|false|yes|no|on|off|0|1)$/i.test(value.text)) return; // core.fsmonitor=true: built in
  ctx.nested({ ...value, text: value.text.replace(/^!/, '') }, `git ${key}`);
}

const CONFIG_READS =
  /^(--get|--get-all|--get-regexp|--get-urlmatch|-l|--list|--unset|--unset-all|--remove-section|--rename-section|get|list|unset|remove-section|rename-section|--show-origin|--name-only)$/;
const CONFIG_VALUE_OPTIONS = new Set([
  '-f',
  '--file',
  '--blob',
  '--type',
  '--default',
  '--comment',
  '--value',
]);

function checkConfigWrite(args: Word[], ctx: RuleContext): void {
  if (args.some((w) => !w.dynamic && CONFIG_READS.test(w.text))) return;
  const operands: Word[] = [];
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    if (!w.dynamic && CONFIG_VALUE_OPTIONS.has(w.text)) i++;
    else if (w.dynamic || !w.text.startsWith('-')) operands.push(w);
  }
  if (operands[0] && !operands[0].dynamic && operands[0].text === 'set') operands.shift();
  const [key, value] = operands;
  if (!key || !value) return;
  checkKeyValue(key.text.toLowerCase(), key.dynamic, value, ctx, true);
}
