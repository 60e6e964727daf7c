#!/usr/bin/env node
import { CAIRN_VERSION } from '../version.js';
import { enableCompileCache } from './compile-cache.js';

/** `cairn` entry: argument parsing and dispatch only. Each command loads its code on demand. */

const HELP = `Cairn ${CAIRN_VERSION} — a persistent coding agent for editors

Usage:
  cairn acp                  Serve the Agent Client Protocol on stdin/stdout (what Zed and VS Code start)
  cairn run [options] PROMPT Run one prompt headless in the current folder, streaming the answer
                             (the prompt can also come from stdin: echo … | cairn run)
  cairn demo                 A short real session against a built-in scripted model, offline
  cairn skills [list]        List skills with their source, usage, staleness and provenance
  cairn history stats|prune  History per project; delete sessions older than history.keepDays
  cairn memory [list]        What Cairn remembers, where each entry came from; rm, history, restore
  cairn checkpoints list|restore ID|gc
                             The workspace's files before each turn; put them back
  cairn jobs add|list|show|rm|pause|resume|run|logs|serve|install
                             Scheduled prompts, run headless as sessions in history
  cairn batch TASKS.jsonl    Many prompts unattended, each in its own copy; resumable results
  cairn export --format openai|sharegpt
                             Sessions as JSONL trajectories, secrets redacted
  cairn help COMMAND         Help for one command (or: cairn COMMAND --help)
  cairn --version | --help

Options for run (see cairn run --help):
  --yes, -y                  Approve edits and commands, except dangerous commands, which still ask
  --allow-dangerous          With --yes, approve dangerous commands too (git push --force, curl … | sh)
  --approve edits            Approve edits, ask for commands
  --mode ask|accept-edits|plan|auto
  --cwd DIR                  Work in DIR instead of the current folder

Model (any OpenAI-compatible endpoint):
  OPENAI_API_KEY, OPENAI_BASE_URL, CAIRN_MODEL, or "model" in $CAIRN_HOME/config.json (default ~/.cairn)
`;

const ACP_HELP = `Usage: cairn acp

Serves the Agent Client Protocol on stdin/stdout: JSON-RPC on stdout, logs on stderr. Editors
(Zed, the VS Code extension) start it; you rarely run it by hand. Configuration comes from
$CAIRN_HOME/config.json (default ~/.cairn) and the model variables (OPENAI_API_KEY, …).
`;

const DEMO_HELP = `Usage: cairn demo [--keep]

Runs a short real session, offline, against a built-in scripted model: Cairn finds and fixes a
failing test in a throwaway project. Edits and commands are approved automatically.
  --keep    Keep the throwaway project and home afterwards (the path is printed)
`;

/** Help for one command, or undefined when the command has none of its own. */
async function commandHelp(command: string | undefined): Promise<string | undefined> {
  switch (command) {
    case 'acp':
      return ACP_HELP;
    case 'run':
      return (await import('./run-command.js')).RUN_HELP;
    case 'demo':
      return DEMO_HELP;
    case 'skills':
      return (await import('./skills-command.js')).SKILLS_HELP + '\n';
    case 'history':
      return (await import('./history-command.js')).HISTORY_HELP + '\n';
    case 'memory':
      return (await import('./memory-command.js')).MEMORY_HELP + '\n';
    case 'checkpoints':
      return (await import('./checkpoints-command.js')).CHECKPOINTS_HELP + '\n';
    case 'jobs':
      return (await import('./jobs-command.js')).JOBS_HELP + '\n';
    case 'batch':
      return (await import('./batch-command.js')).BATCH_HELP + '\n';
    case 'export':
      return (await import('./export-command.js')).EXPORT_HELP + '\n';
    default:
      return undefined;
  }
}

const wantsHelp = (args: string[]) => args.includes('--help') || args.includes('-h');

async function main(argv: string[]): Promise<number> {
  // Before any command's code loads: what it compiles is what the cache keeps.
  enableCompileCache();
  const [command, ...rest] = argv;
  if (command === 'help' && rest.length) {
    const help = await commandHelp(rest[0]);
    if (!help) {
      process.stderr.write(`cairn: no command "${rest[0]}"\n\n${HELP}`);
      return 2;
    }
    process.stdout.write(help);
    return 0;
  }
  // Every command answers --help without starting anything (run's own parser handles it too).
  if (command !== 'run' && wantsHelp(rest)) {
    const help = await commandHelp(command);
    if (help) {
      process.stdout.write(help);
      return 0;
    }
  }
  switch (command) {
    case 'acp': {
      if (rest.length) {
        process.stderr.write(`cairn acp: takes no arguments, got "${rest.join(' ')}"\n\n${ACP_HELP}`);
        return 2;
      }
      const { serveAcpOverStdio } = await import('../acp/stdio-bootstrap.js');
      await serveAcpOverStdio();
      return 0;
    }
    case 'run': {
      const { runCommand } = await import('./run-command.js');
      return runCommand(rest);
    }
    case 'demo': {
      const { demoCommand } = await import('./demo-command.js');
      return demoCommand(rest);
    }
    case 'skills': {
      const { runSkillsCommand } = await import('./skills-command.js');
      return runSkillsCommand(rest, {
        out: (s) => process.stdout.write(s.endsWith('\n') ? s : s + '\n'),
        err: (s) => process.stderr.write(s.endsWith('\n') ? s : s + '\n'),
        cwd: process.cwd(),
        env: process.env,
      });
    }
    case 'checkpoints': {
      const { runCheckpointsCommand, terminalConfirm } = await import('./checkpoints-command.js');
      const confirm = terminalConfirm();
      return runCheckpointsCommand(rest, {
        out: (s) => process.stdout.write(s.endsWith('\n') ? s : s + '\n'),
        err: (s) => process.stderr.write(s.endsWith('\n') ? s : s + '\n'),
        cwd: process.cwd(),
        env: process.env,
        ...(confirm ? { confirm } : {}),
      });
    }
    case 'memory': {
      const { runMemoryCommand } = await import('./memory-command.js');
      const { confirmOnTerminal } = await import('./confirm.js');
      return runMemoryCommand(rest, {
        out: (s) => process.stdout.write(s),
        err: (s) => process.stderr.write(s),
        cwd: process.cwd(),
        env: process.env,
        confirm: confirmOnTerminal,
      });
    }
    case 'export': {
      const { runExportCommand } = await import('./export-command.js');
      return runExportCommand(rest, {
        out: (s) => process.stdout.write(s),
        err: (s) => process.stderr.write(s),
      });
    }
    case 'batch': {
      const { runBatchCommand } = await import('./batch-command.js');
      return runBatchCommand(rest, {
        out: (s) => process.stdout.write(s),
        err: (s) => process.stderr.write(s),
        tty: !!process.stderr.isTTY,
      });
    }
    case 'jobs': {
      const { runJobsCommand } = await import('./jobs-command.js');
      return runJobsCommand(rest, {
        out: (s) => process.stdout.write(s),
        err: (s) => process.stderr.write(s),
      });
    }
    case 'history': {
      const { runHistoryCommand } = await import('./history-command.js');
      return runHistoryCommand(rest, {
        out: (s) => process.stdout.write(s.endsWith('\n') ? s : s + '\n'),
        err: (s) => process.stderr.write(s.endsWith('\n') ? s : s + '\n'),
      });
    }
    case '--version':
    case '-v':
    case 'version':
      process.stdout.write(`${CAIRN_VERSION}\n`);
      return 0;
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(HELP);
      return 0;
    default:
      process.stderr.write(`cairn: unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

// `cairn run … | head`: the reader left, so there is no one to write to; stop quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: unknown) => {
    const message =
      err instanceof Error
        ? err.name === 'ConfigError'
          ? err.message
          : (err.stack ?? err.message)
        : String(err);
    process.stderr.write(`cairn: ${message}\n`);
    process.exitCode = 1;
  },
);
