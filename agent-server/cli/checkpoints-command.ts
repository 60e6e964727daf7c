import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline/promises';
import {
  applyRestore,
  checkpointDir,
  CheckpointStore,
  checkpointSettings,
  describeCheckpoint,
  GitUnavailableError,
  planRestore,
  type RestoreResult,
} from '../checkpoints/index.js';
import { loadConfig } from '../config/load.js';

export const CHECKPOINTS_HELP = `Usage: cairn checkpoints list|restore ID|gc [--cwd DIR]

The workspace's files as they were before each turn that changed them (kept in Cairn's home,
never in the project's .git).
  list          Checkpoints, newest first, numbered from 1: time, prompt, files changed
  restore ID    Put the files back as they were at checkpoint ID (or its number in the list).
                The restore is itself checkpointed: restoring the newest checkpoint undoes it.
                Files changed by hand since are asked about (kept without a terminal),
                unless --overwrite is given.
  gc            Remove checkpoints past checkpoints.keepDays / keepMB
  --cwd DIR     The workspace (default: the current folder)`;

export interface CheckpointsCommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Asks yes/no on a terminal; undefined without one. */
  confirm?: (question: string) => Promise<boolean>;
}

export async function runCheckpointsCommand(args: string[], io: CheckpointsCommandIo): Promise<number> {
  let cwd = io.cwd;
  let overwrite = false;
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--cwd') {
      const dir = args[++i];
      if (!dir) return usage(io, '--cwd needs a folder');
      cwd = path.resolve(io.cwd, dir);
    } else if (arg === '--overwrite') overwrite = true;
    else if (arg.startsWith('-')) return usage(io, `unknown option ${arg}`);
    else words.push(arg);
  }
  const [sub = 'list', id, ...extra] = words;
  if (extra.length) return usage(io, `unexpected ${extra.join(' ')}`);
  const { home, config } = loadConfig(io.env);
  let store: CheckpointStore;
  try {
    store = await CheckpointStore.open(home, cwd, checkpointSettings(config.checkpoints));
  } catch (err) {
    if (err instanceof GitUnavailableError) {
      io.err(err.message);
      return 1;
    }
    throw err;
  }
  for (const notice of store.notices) io.err(notice);
  switch (sub) {
    case 'list': {
      const all = await store.list();
      if (!all.length) io.out(`No checkpoints for ${cwd}.`);
      all.forEach((c, i) => io.out(`${String(i + 1).padStart(3)}  ${c.id}  ${describeCheckpoint(c)}`));
      return 0;
    }
    case 'restore': {
      if (!id) return usage(io, 'restore needs a checkpoint id or number (see cairn checkpoints list)');
      const target = await store.find(id);
      if (!target) {
        io.err(`No checkpoint ${id} for ${cwd}. See cairn checkpoints list.`);
        return 1;
      }
      const plan = await planRestore(store, target);
      if (!plan.changes.length) {
        io.out(`The files are already as they were at ${target.id}; nothing to restore.`);
        return 0;
      }
      let keep: string[] = [];
      if (plan.handEdited.length && !overwrite) {
        const list = plan.handEdited.map((p) => `  ${p}`).join('\n');
        const question = `These files were changed by hand after the checkpoint:\n${list}\nOverwrite them too? [y/N] `;
        const yes = io.confirm ? await io.confirm(question) : false;
        if (!yes) keep = plan.handEdited;
      }
      const result = await applyRestore(store, plan, { keep });
      report(io, result);
      return result.failed.length ? 1 : 0;
    }
    case 'gc': {
      const done = await store.gc();
      io.out(
        `Removed ${done.removed} checkpoint${done.removed === 1 ? '' : 's'}; ${done.kept} kept ` +
          `(${(done.bytes / 1024 / 1024).toFixed(1)} MB).`,
      );
      return 0;
    }
    default:
      return usage(io, `unknown subcommand "${sub}"`);
  }
}

function report(io: CheckpointsCommandIo, result: RestoreResult): void {
  const written = result.files.filter((f) => f.action === 'written').length;
  const removed = result.files.filter((f) => f.action === 'removed').length;
  io.out(`Restored the files of ${result.target.id}: ${written} written, ${removed} removed.`);
  for (const f of result.files) io.out(`  ${f.action === 'written' ? 'M' : 'D'} ${f.path}`);
  if (result.kept.length) io.out(`Kept as they are (changed by hand): ${result.kept.join(', ')}`);
  for (const f of result.failed) io.err(`  ✗ ${f.path}: ${f.error}`);
  if (result.undo) io.out(`Undo this restore with: cairn checkpoints restore ${result.undo.id}`);
}

function usage(io: CheckpointsCommandIo, problem: string): number {
  io.err(`cairn checkpoints: ${problem}\n\n${CHECKPOINTS_HELP}`);
  return 2;
}

/** y/N on the terminal when there is one. */
export function terminalConfirm(): ((question: string) => Promise<boolean>) | undefined {
  if (!process.stdin.isTTY) return undefined;
  return async (question) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return /^y(es)?$/i.test((await rl.question(question)).trim());
    } finally {
      rl.close();
    }
  };
}

/**
 * For the end of `cairn run`: the line naming the checkpoint a run made (taken since `since`),
 * or undefined when it changed no files (or checkpoints are off).
 */
export async function checkpointLineSince(
  cwd: string,
  env: NodeJS.ProcessEnv,
  since: Date,
): Promise<string | undefined> {
  try {
    const { home, config } = loadConfig(env);
    // A run that changed nothing made no store: do not create one just to look.
    if (!config.checkpoints.enabled || !existsSync(checkpointDir(home, cwd))) return undefined;
    const store = await CheckpointStore.open(home, cwd, checkpointSettings(config.checkpoints));
    const made = (await store.list()).filter((c) => c.kind === 'turn' && c.createdAt >= since);
    const first = made.at(-1);
    if (!first) return undefined;
    return `Checkpoint ${first.id}: the files before this run (undo it with: cairn checkpoints restore ${first.id})`;
  } catch {
    return undefined; // no git, or no store: nothing to name
  }
}
