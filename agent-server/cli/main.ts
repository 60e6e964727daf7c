#!/usr/bin/env node
import { CAIRN_VERSION } from '../version.js';

/** `cairn` entry: argument parsing and dispatch only. Each command loads its code on demand. */

const HELP = `Cairn ${CAIRN_VERSION} — a persistent coding agent for editors

Usage:
  cairn acp                  Serve the Agent Client Protocol on stdin/stdout (what Zed and VS Code start)
  cairn run [options] PROMPT Run one prompt headless in the current folder, streaming the answer
  cairn demo                 A short real session against a built-in scripted model, offline
  cairn skills [list]        List skills with their source, usage and staleness
  cairn --version | --help

Options for run:
  --yes, -y                  Approve every edit and command (except hard-blocked ones)
  --approve edits            Approve edits, ask for commands
  --mode ask|accept-edits|plan|auto
  --cwd DIR                  Work in DIR instead of the current folder

Model (any OpenAI-compatible endpoint):
  OPENAI_API_KEY, OPENAI_BASE_URL, CAIRN_MODEL, or "model" in $CAIRN_HOME/config.json (default ~/.cairn)
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'acp': {
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
