import * as path from 'node:path';
import { cairnHome } from '../config/home.js';
import { loadConfig } from '../config/load.js';
import { JournalHistoryStore, type HistoryStats } from '../history/index.js';

export const HISTORY_HELP = `Usage: cairn history stats | prune [--keep-days N]

  stats                Sessions, messages and sizes per project, and disk used by history
  prune                Delete sessions last active more than history.keepDays days ago
                       (config.json; or --keep-days N). Their text is erased from the journal.`;

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

/** `cairn history`: argument parsing and printing; the work is the history store's. */
export async function runHistoryCommand(args: string[], io: Io, env = process.env): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'stats' && sub !== 'prune') {
    io.err(HISTORY_HELP);
    return 2;
  }
  const store = await JournalHistoryStore.open(path.join(cairnHome(env), 'history'));
  try {
    if (sub === 'stats') {
      io.out(formatStats(await store.stats()));
      return 0;
    }
    const flag = rest.indexOf('--keep-days');
    const keepDays = flag >= 0 ? Number(rest[flag + 1]) : loadConfig(env).config.history.keepDays;
    if (keepDays === undefined) {
      io.err(
        'cairn history prune: history.keepDays is not set (history is kept forever); pass --keep-days N.',
      );
      return 2;
    }
    if (!Number.isInteger(keepDays) || keepDays < 1) {
      io.err('cairn history prune: --keep-days takes a whole number of days, 1 or more.');
      return 2;
    }
    const deleted = await store.prune(keepDays);
    io.out(
      `Deleted ${deleted} session${deleted === 1 ? '' : 's'} last active more than ${keepDays} days ago.`,
    );
    return 0;
  } finally {
    await store.close();
  }
}

export function formatStats(s: HistoryStats): string {
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  const lines = [
    `${s.sessions} sessions, ${s.records} messages, ${mb(s.textBytes)} of text; on disk: journal ${mb(s.journalBytes)}, index ${mb(s.indexBytes)}`,
  ];
  for (const p of s.projects) {
    lines.push(
      `  ${p.cwd || '(unknown)'}: ${p.sessions} sessions, ${p.records} messages, ${mb(p.textBytes)}, last ${new Date(p.lastActive).toISOString().slice(0, 10)}`,
    );
  }
  return lines.join('\n');
}
