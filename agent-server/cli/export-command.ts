import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { knownModelKeys } from '../model/known-keys.js';
import { secretValues } from '../runtime/secret-redaction.js';
import { loadRuntimeServices } from '../runtime/services.js';
import { DEFAULT_OUTPUT_TOKENS } from '../trajectories/compress-trajectory.js';
import {
  exportTrajectories,
  type ExportSelection,
  type ExportSummary,
} from '../trajectories/export-trajectories.js';
import { errorMessage } from '../../shared/error-message.js';

export const EXPORT_HELP = `Usage: cairn export [--session ID | --since DATE | --project DIR | --batch DIR]
                    --format openai|sharegpt [--out FILE] [--compress] [--max-tokens N]

Writes sessions from history as JSONL, one conversation per line: OpenAI chat messages (with
tool_calls and tool results) or ShareGPT conversations (from/value), plus metadata (model,
times, and for --batch the outcome). API keys and anything shaped like a credential are
redacted; the count of redactions is printed. Without a selection, every session is exported.
Written one conversation at a time: memory stays flat however large the history.

  --compress        Tool outputs longer than ${DEFAULT_OUTPUT_TOKENS} tokens keep their head and tail, with a
                    marker saying what was cut; estimated tokens before and after are printed
  --max-tokens N    A budget per conversation (implies --compress): tool outputs are cut further,
                    longest first, until it fits. Nothing but tool output is ever cut.`;

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

export async function runExportCommand(argv: string[], io: Io, env = process.env): Promise<number> {
  const usage = (message: string) => {
    io.err(`cairn export: ${message}\n\n${EXPORT_HELP}\n`);
    return 2;
  };
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        session: { type: 'string' },
        since: { type: 'string' },
        project: { type: 'string' },
        batch: { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
        compress: { type: 'boolean' },
        'max-tokens': { type: 'string' },
      },
    });
  } catch (err) {
    return usage(errorMessage(err));
  }
  const v = parsed.values;
  if (v.format !== 'openai' && v.format !== 'sharegpt') return usage('--format takes openai or sharegpt');
  const select: ExportSelection = {};
  if (v.session) select.sessionId = v.session;
  if (v.project) select.project = path.resolve(v.project);
  if (v.batch) select.batchDir = path.resolve(v.batch);
  if (v.since) {
    const since = Date.parse(v.since);
    if (Number.isNaN(since)) return usage(`--since ${v.since}: give a date such as 2026-12-01`);
    select.since = since;
  }
  let maxTokens: number | undefined;
  if (v['max-tokens'] !== undefined) {
    maxTokens = Number(v['max-tokens']);
    if (!Number.isInteger(maxTokens) || maxTokens < 1000)
      return usage('--max-tokens takes a whole number of tokens, at least 1000');
  }
  const compress =
    v.compress || maxTokens !== undefined
      ? { outputTokens: DEFAULT_OUTPUT_TOKENS, ...(maxTokens !== undefined ? { maxTokens } : {}) }
      : undefined;
  const services = loadRuntimeServices(env);
  const file: WriteStream | undefined = v.out
    ? createWriteStream(path.resolve(v.out), { mode: 0o600 })
    : undefined;
  const write = async (line: string) => {
    if (!file) return void io.out(line);
    if (!file.write(line)) await once(file, 'drain');
  };
  try {
    const summary = await exportTrajectories({
      history: services.history,
      select,
      format: v.format,
      secrets: secretValues(services.env, knownModelKeys(services.config.model, services.env)),
      ...(compress ? { compress } : {}),
      write,
    });
    io.err(
      `Exported ${summary.conversations} conversation(s)${v.out ? ` to ${v.out}` : ''}; ${summary.redactions} secret(s) redacted.\n`,
    );
    if (summary.tokens) io.err(tokenReport(summary.tokens, maxTokens));
    return 0;
  } catch (err) {
    io.err(`cairn export: ${errorMessage(err)}\n`);
    return 1;
  } finally {
    if (file) {
      file.end();
      await once(file, 'close');
    }
    await services.history.close();
  }
}

const n = (x: number) => x.toLocaleString('en-US');

/** `Tokens (estimated): 1,200,000 before, 310,000 after (−74%); 1,034 tool outputs cut.` */
export function tokenReport(tokens: NonNullable<ExportSummary['tokens']>, maxTokens?: number): string {
  const saved = tokens.before ? Math.round((1 - tokens.after / tokens.before) * 100) : 0;
  return (
    `Tokens (estimated, ~4 characters each): ${n(tokens.before)} before, ${n(tokens.after)} after (−${saved}%); ` +
    `${n(tokens.outputsCut)} tool output(s) cut.\n` +
    (tokens.overBudget
      ? `${n(tokens.overBudget)} conversation(s) are still over --max-tokens ${n(maxTokens ?? 0)}: what remains is not tool output, which is never cut.\n`
      : '')
  );
}
