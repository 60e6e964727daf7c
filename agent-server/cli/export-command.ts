import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { knownModelKeys } from '../model/known-keys.js';
import { secretValues } from '../runtime/secret-redaction.js';
import { loadRuntimeServices } from '../runtime/services.js';
import { exportTrajectories, type ExportSelection } from '../trajectories/export-trajectories.js';
import { errorMessage } from '../../shared/error-message.js';

export const EXPORT_HELP = `Usage: cairn export [--session ID | --since DATE | --project DIR | --batch DIR]
                    --format openai|sharegpt [--out FILE]

Writes sessions from history as JSONL, one conversation per line: OpenAI chat messages (with
tool_calls and tool results) or ShareGPT conversations (from/value), plus metadata (model,
times, and for --batch the outcome). API keys and anything shaped like a credential are
redacted; the count of redactions is printed. Without a selection, every session is exported.`;

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
      write,
    });
    io.err(
      `Exported ${summary.conversations} conversation(s)${v.out ? ` to ${v.out}` : ''}; ${summary.redactions} secret(s) redacted.\n`,
    );
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
