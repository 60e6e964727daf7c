import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.js';
import { MemoryStore, type MemoryEntryView } from '../memory/memory-store.js';
import { MemoryEditError, type MemoryScope, type MemoryTarget } from '../memory/entries.js';
import { describeProvenance } from '../learning/provenance.js';
import { editMemoryEntry } from './memory-edit-command.js';
import { MemoryUsage } from '../memory/memory-usage.js';
import { stat } from 'node:fs/promises';

export interface LearningCommandIo {
  out: (s: string) => void;
  err: (s: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Asks the user; false when nobody can answer (then --yes is needed). */
  confirm: (question: string) => Promise<boolean>;
}

export const MEMORY_HELP = `Usage: cairn memory [list] [--project DIR] [--json] [--stale-days N]
       cairn memory show ID [--json]
       cairn memory rm ID [--yes]
       cairn memory edit ID [--text NEW]
       cairn memory history [global|project] [memory|user] [--json]
       cairn memory restore [global|project] [memory|user] VERSION [--yes]

What Cairn remembers, global (every project) and for the project (--project DIR, default the
current folder), each entry with where it came from: the session, date, project and first line
of the prompt that led to it, or "by hand", and how many sessions' prompts carried it (last when);
entries no session loaded for --stale-days (default 30) are marked stale. IDs look like
project/memory/2 (see list).
edit opens the entry's file in $VISUAL/$EDITOR at the entry (or replaces its text with --text);
the result is scanned and saved as a version "by hand".
Every change is a version in $CAIRN_HOME/versions; restore brings one back (scanned again).`;

const SCOPES = ['global', 'project'] as const;
const TARGETS = ['memory', 'user'] as const;

function parseId(
  id: string | undefined,
): { scope: MemoryScope; target: MemoryTarget; index: number } | undefined {
  const m = /^(global|project)\/(memory|user)\/(\d+)$/.exec(id ?? '');
  return m ? { scope: m[1] as MemoryScope, target: m[2] as MemoryTarget, index: Number(m[3]) } : undefined;
}

function entryLine(e: MemoryEntryView & EntryUsage): string {
  const text = e.text.replace(/\s+/g, ' ');
  const flagged = e.blocked.length ? `  [kept out of the prompt: ${e.blocked.join('; ')}]` : '';
  const used = e.uses
    ? `; used in ${e.uses} session${e.uses === 1 ? '' : 's'}, last ${e.lastUsed?.slice(0, 10)}`
    : '; not used yet';
  return `${e.id.padEnd(18)} ${text.length > 90 ? `${text.slice(0, 89)}…` : text}\n${' '.repeat(19)}from ${describeProvenance(e.provenance)}${used}${e.stale ? ' (stale)' : ''}${flagged}`;
}

const DAY_MS = 24 * 60 * 60 * 1000;

interface EntryUsage {
  /** Sessions whose prompt carried the entry. */
  uses: number;
  lastUsed: string | null;
  /** Not in any session's prompt for the stale-days window (never used: written before it). */
  stale: boolean;
}

/** Each entry with its usage; an entry never used is judged by its age (provenance date, else the file's). */
async function withUsage(
  home: string,
  entries: MemoryEntryView[],
  staleDays: number,
  now = Date.now(),
): Promise<(MemoryEntryView & EntryUsage)[]> {
  const usage = new MemoryUsage(home);
  const records = await usage.all();
  const limit = staleDays * DAY_MS;
  return Promise.all(
    entries.map(async (e) => {
      const record = records[usage.keyOf(e.path, e.text)];
      const since = record?.lastUsed
        ? Date.parse(record.lastUsed)
        : e.provenance
          ? Date.parse(e.provenance.date)
          : (await stat(e.path)).mtimeMs;
      return {
        ...e,
        uses: record?.uses ?? 0,
        lastUsed: record?.lastUsed ?? null,
        stale: now - since > limit,
      };
    }),
  );
}

/** `cairn memory`: list, show, remove, history and restore of memory entries. Returns the exit code. */
export async function runMemoryCommand(argv: string[], io: LearningCommandIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        yes: { type: 'boolean', short: 'y', default: false },
        project: { type: 'string' },
        text: { type: 'string' },
        'stale-days': { type: 'string', default: '30' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    io.err(`cairn memory: ${(err as Error).message}\n\n${MEMORY_HELP}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(MEMORY_HELP + '\n');
    return 0;
  }
  const [sub = 'list', ...rest] = positionals;
  const { home, config } = loadConfig(io.env);
  const project = path.resolve(io.cwd, values.project ?? '.');
  const store = new MemoryStore(home, project, config.memory);
  const json = (value: unknown) => io.out(JSON.stringify(value, null, 2) + '\n');

  try {
    switch (sub) {
      case 'list': {
        const staleDays = Number(values['stale-days']);
        if (!Number.isFinite(staleDays) || staleDays <= 0) {
          io.err(`cairn memory: --stale-days must be a positive number, not "${values['stale-days']}".\n`);
          return 2;
        }
        const entries = await withUsage(home, await store.entries(), staleDays);
        if (values.json) json({ project, entries });
        else io.out(entries.length ? entries.map(entryLine).join('\n') + '\n' : 'Nothing remembered yet.\n');
        return 0;
      }
      case 'show':
      case 'edit':
      case 'rm': {
        const id = parseId(rest[0]);
        const entry = id && (await store.entries()).find((e) => e.id === rest[0]);
        if (!entry) {
          io.err(`cairn memory: no entry "${rest[0] ?? ''}". Run \`cairn memory list\` for the IDs.\n`);
          return 1;
        }
        if (sub === 'edit') return await editMemoryEntry(store, entry, values.text, io);
        if (sub === 'show') {
          if (values.json) json(entry);
          else
            io.out(
              `${entry.id} (${entry.path})\nfrom ${describeProvenance(entry.provenance)}\n\n${entry.text}\n`,
            );
          return 0;
        }
        io.out(`${entry.text}\nfrom ${describeProvenance(entry.provenance)}\n`);
        if (!values.yes && !(await io.confirm(`Forget this ${entry.scope} entry?`))) {
          io.err('Nothing removed (answer yes, or pass --yes when there is no terminal).\n');
          return 1;
        }
        await store.forget(entry.scope, entry.target, entry.text);
        io.out(`Forgot ${entry.id}. \`cairn memory history ${entry.scope} ${entry.target}\` keeps it.\n`);
        return 0;
      }
      case 'history':
      case 'restore': {
        const scope = (SCOPES as readonly string[]).includes(rest[0] ?? '')
          ? (rest.shift() as MemoryScope)
          : 'global';
        const target = (TARGETS as readonly string[]).includes(rest[0] ?? '')
          ? (rest.shift() as MemoryTarget)
          : 'memory';
        const versions = await store.history(scope, target);
        if (sub === 'history') {
          if (values.json) json({ scope, target, path: store.filePath(scope, target), versions });
          else
            io.out(
              versions.length
                ? versions
                    .map(
                      (v) =>
                        `${String(v.number).padStart(3)}  ${v.at.slice(0, 19).replace('T', ' ')}  ${v.message}`,
                    )
                    .join('\n') + '\n'
                : `No versions of ${scope} ${target} yet.\n`,
            );
          return 0;
        }
        const number = Number(rest[0]);
        const version = versions.find((v) => v.number === number);
        if (!version) {
          io.err(
            `cairn memory: no version "${rest[0] ?? ''}" of ${scope} ${target}; see \`cairn memory history ${scope} ${target}\`.\n`,
          );
          return 1;
        }
        io.out(`Version ${number} (${version.message}):\n${version.content?.text || '(empty)\n'}`);
        if (!values.yes && !(await io.confirm(`Restore it as ${scope} ${target}?`))) {
          io.err('Nothing restored (answer yes, or pass --yes when there is no terminal).\n');
          return 1;
        }
        io.out((await store.restore(scope, target, number)).message + '\n');
        return 0;
      }
      default:
        io.err(`cairn memory: unknown subcommand "${sub}".\n\n${MEMORY_HELP}\n`);
        return 2;
    }
  } catch (err) {
    if (err instanceof MemoryEditError) {
      io.err(`cairn memory: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
