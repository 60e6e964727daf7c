import * as path from 'node:path';
import type { HistoryStore, SessionMeta } from '../history/index.js';
import { readResults } from '../batch/batch-runner.js';
import { SecretRedactor } from './secret-redactor.js';
import { compressMessages, type CompressOptions } from './compress-trajectory.js';
import {
  cleanMessages,
  messagesOf,
  metaOf,
  trajectoryLine,
  type TrajectoryFormat,
} from './trajectory-format.js';

/** Which sessions to export: one, those of a project, those active since a time, or a batch's. */
export interface ExportSelection {
  sessionId?: string;
  project?: string;
  /** Epoch ms: sessions last active at or after it. */
  since?: number;
  /** A batch's output folder: its tasks' sessions, with their outcomes. */
  batchDir?: string;
}

export interface ExportOptions {
  history: HistoryStore;
  select: ExportSelection;
  format: TrajectoryFormat;
  /** Values that must never appear (model keys, credential-named variables' values). */
  secrets: readonly string[];
  /** Metadata added to every conversation (a batch task's outcome). */
  extra?: { outcome?: string; tokens?: number };
  /** Shorten long tool outputs (head and tail kept) to these limits; absent: nothing is cut. */
  compress?: CompressOptions;
  /** Receives one line at a time (with its newline); awaited, so output is streamed. */
  write: (line: string) => Promise<void>;
}

export interface ExportSummary {
  conversations: number;
  redactions: number;
  /** Set when compressing: estimated tokens of everything exported, before and after. */
  tokens?: { before: number; after: number; outputsCut: number; overBudget: number };
}

const PAGE = 200;

/**
 * Writes the selected sessions as JSONL trajectories, one conversation per line, one session
 * read at a time (never the whole history in memory), every string through the redactor.
 */
export async function exportTrajectories(opts: ExportOptions): Promise<ExportSummary> {
  const redactor = new SecretRedactor(opts.secrets);
  const text = (s: string) => redactor.redact(s);
  let conversations = 0;
  const tokens = { before: 0, after: 0, outputsCut: 0, overBudget: 0 };
  for await (const { session, extra } of selectSessions(opts.history, opts.select)) {
    const records = await opts.history.readSession(session.id);
    // Redacted before anything is cut, so a cut never leaves half a secret unrecognised.
    let messages = cleanMessages(messagesOf(records), text);
    if (!messages.length) continue;
    const meta = metaOf(session, { ...extra, ...opts.extra });
    if (meta.title) meta.title = text(meta.title);
    if (opts.compress) {
      const done = compressMessages(messages, opts.compress);
      messages = done.messages;
      tokens.before += done.tokensBefore;
      tokens.after += done.tokensAfter;
      tokens.outputsCut += done.outputsCut;
      if (done.overBudget) tokens.overBudget++;
      if (done.outputsCut)
        meta.compressed = {
          tokensBefore: done.tokensBefore,
          tokensAfter: done.tokensAfter,
          outputsCut: done.outputsCut,
        };
    }
    await opts.write(trajectoryLine(opts.format, meta, messages) + '\n');
    conversations++;
  }
  return { conversations, redactions: redactor.count, ...(opts.compress ? { tokens } : {}) };
}

async function* selectSessions(
  history: HistoryStore,
  select: ExportSelection,
): AsyncGenerator<{ session: SessionMeta; extra: { outcome?: string; tokens?: number } }> {
  if (select.sessionId) {
    const session = await history.getSession(select.sessionId);
    if (!session) throw new Error(`no session ${select.sessionId} in history`);
    yield { session, extra: {} };
    return;
  }
  if (select.batchDir) {
    for (const result of (await readResults(select.batchDir)).values()) {
      const session = result.sessionId ? await history.getSession(result.sessionId) : undefined;
      if (session)
        yield {
          session,
          extra: {
            outcome: result.outcome,
            ...(result.tokens !== undefined ? { tokens: result.tokens } : {}),
          },
        };
    }
    return;
  }
  let cursor: string | undefined;
  do {
    const page = await history.listSessions({
      ...(select.project ? { cwd: path.resolve(select.project) } : {}),
      ...(cursor ? { cursor } : {}),
      limit: PAGE,
      nonEmpty: true,
    });
    for (const session of page.sessions) {
      if (select.since !== undefined && session.updatedAt < select.since) continue;
      yield { session, extra: {} };
    }
    cursor = page.nextCursor;
  } while (cursor);
}
