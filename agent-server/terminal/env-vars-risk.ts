import type { Findings, Word } from './risk.js';

/**
 * Environment variables that make programs run other code: some hold a command line that is
 * run through the shell (classified as that command), others load code or config from files
 * (`BASH_ENV`, `LD_PRELOAD`, `GIT_CONFIG_*`) and cannot be checked.
 */
const COMMAND_VARS =
  /^(GIT_SSH_COMMAND|GIT_SSH|GIT_PAGER|GIT_EDITOR|GIT_SEQUENCE_EDITOR|GIT_EXTERNAL_DIFF|GIT_ASKPASS|SSH_ASKPASS|PAGER|MANPAGER|EDITOR|VISUAL|LESSOPEN|LESSCLOSE|PROMPT_COMMAND|BROWSER)$/;
const LOADER_VARS =
  /^(BASH_ENV|ENV|LD_PRELOAD|LD_AUDIT|GIT_CONFIG_PARAMETERS|GIT_CONFIG_COUNT|GIT_CONFIG_KEY_\d+|GIT_CONFIG_VALUE_\d+|GIT_CONFIG|GIT_CONFIG_GLOBAL|GIT_CONFIG_SYSTEM|GIT_EXEC_PATH|GIT_TEMPLATE_DIR|SHELLOPTS|BASHOPTS|PERL5OPT|RUBYOPT|PYTHONSTARTUP|PYTHONINSPECT)$/;
const NODE_LOADERS = /(^|\s)(-r|--require|--import|--loader|--experimental-loader)\b/;

export function checkEnvAssignment(
  name: string,
  value: Word,
  findings: Findings,
  nested: (word: Word, via: string) => void,
): void {
  if (COMMAND_VARS.test(name)) {
    if (value.text || value.dynamic) nested(value, name);
  } else if (LOADER_VARS.test(name)) {
    findings.flag('dangerous', `Sets ${name}, which makes programs load code or settings from elsewhere.`);
  } else if (name === 'NODE_OPTIONS' && (value.dynamic || NODE_LOADERS.test(value.text))) {
    findings.flag('dangerous', 'NODE_OPTIONS makes node load other code first.');
  } else if (name === 'PS4' && (value.dynamic || /\$\(|`/.test(value.text))) {
    findings.flag('dangerous', 'PS4 runs a command each time the shell traces one.');
  }
}
