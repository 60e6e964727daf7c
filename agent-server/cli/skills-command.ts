import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { cairnHome } from '../config/home.js';
import { bundledSkillsDir } from '../config/package-root.js';
import {
  FileSkillUsage,
  loadSkillCatalog,
  SkillRecords,
  type Skill,
  type SkillRecord,
  type SkillUsageRecord,
} from '../skills/index.js';
import { describeProvenance } from '../learning/provenance.js';
import { runSkillsChange } from './skills-change-command.js';
import { runSkillsInstall, runSkillsUpdate } from './skills-install-command.js';
import { confirmOnTerminal } from './confirm.js';
import { errorMessage } from '../../shared/error-message.js';

export interface SkillsCommandIo {
  out: (s: string) => void;
  err: (s: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Asks the user (default: on the terminal; no terminal means no). */
  confirm?: (question: string) => Promise<boolean>;
}

const CHANGES = ['rm', 'disable', 'enable', 'history', 'restore'];

/** Where a skill came from, for people: the agent session, an install, or by hand. */
function originText(skill: Skill, record: SkillRecord | undefined): string {
  if (record?.origin)
    return `installed from ${record.origin.source}${record.origin.subpath ? `/${record.origin.subpath}` : ''}${record.origin.commit ? ` @ ${record.origin.commit.slice(0, 12)}` : ''}`;
  if (record?.provenance) return `${record.action ?? 'written'} by ${describeProvenance(record.provenance)}`;
  return skill.source === 'bundled' ? 'shipped with Cairn' : 'by hand';
}

export const SKILLS_HELP = `Usage: cairn skills [list] [--json] [--stale-days N]
       cairn skills show <name> [--json]
       cairn skills disable|enable <name>
       cairn skills rm <name> [--yes]
       cairn skills history <name> [--json]
       cairn skills restore <name> <version> [--yes]
       cairn skills install <git-url|path|owner/repo[/path]> [--user|--project] [--ref REF] [--yes]
       cairn skills update [<name>] [--yes]

Lists the skills a session in this folder would see, highest precedence first:
  project  .cairn/skills/        (in the repo, shared through git)
  agents   .agents/skills/       (read-only)
  claude   .claude/skills/       (read-only)
  user     $CAIRN_HOME/skills/   (default ~/.cairn/skills)
  bundled  shipped with Cairn
with how often each was used, and which are stale (unused for --stale-days, default 30),
shadowed by a same-named skill, refused as unsafe, or invalid, and where each came from (the
session that wrote it, an install, or by hand). User skills keep every version in
$CAIRN_HOME/versions (history, restore); project skills are versioned by the project's git.
install fetches a skill or a folder of skills (a shallow git clone of --ref, or a plain folder),
validates and scans every file, shows what it will install and asks; it is pinned to the commit
and never runs anything from the skill. update shows the diff to the new commit before applying.`;
const HELP = SKILLS_HELP;

const DAY_MS = 86_400_000;

function ago(ms: number): string {
  const days = Math.floor(ms / DAY_MS);
  if (days >= 1) return `${days}d ago`;
  const hours = Math.floor(ms / 3_600_000);
  return hours >= 1 ? `${hours}h ago` : 'just now';
}

interface Row {
  skill: Skill;
  usage: SkillUsageRecord | undefined;
  status: string;
  stale: boolean;
}

async function rowFor(
  skill: Skill,
  usage: SkillUsageRecord | undefined,
  staleDays: number,
  now: number,
): Promise<Row> {
  const limit = staleDays * DAY_MS;
  if (usage?.lastUsed) {
    const idle = now - Date.parse(usage.lastUsed);
    return {
      skill,
      usage,
      stale: idle > limit,
      status: idle > limit ? `stale (unused ${Math.floor(idle / DAY_MS)}d)` : 'ok',
    };
  }
  // Never used: judge by age, so a skill written yesterday is not called stale.
  const age = now - (await stat(skill.file)).mtimeMs;
  return {
    skill,
    usage,
    stale: age > limit,
    status: age > limit ? `stale (never used, ${Math.floor(age / DAY_MS)}d old)` : 'new',
  };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '))
    .join('\n');
}

function jsonOf(skill: Skill, record: SkillRecord | undefined) {
  return {
    name: skill.name,
    source: skill.source,
    category: skill.category,
    file: skill.file,
    // The scan ran at load: only skills that passed it (or bundled ones) are listed here.
    scan: skill.root.scanned ? 'passed' : 'not scanned (bundled)',
    provenance: record?.provenance ?? null,
    action: record?.action ?? null,
    origin: record?.origin ?? null,
    from: originText(skill, record),
  };
}

/** `cairn skills`: lists skills with source, usage and staleness. Returns the exit code. */
export async function runSkillsCommand(argv: string[], io: SkillsCommandIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        'stale-days': { type: 'string', default: '30' },
        yes: { type: 'boolean', short: 'y', default: false },
        user: { type: 'boolean', default: false },
        project: { type: 'boolean', default: false },
        ref: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    io.err(`cairn skills: ${errorMessage(err)}\n\n${HELP}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(HELP + '\n');
    return 0;
  }
  const [sub = 'list', ...rest] = positionals;
  const staleDays = Number(values['stale-days']);
  if (!Number.isFinite(staleDays) || staleDays <= 0) {
    io.err(`cairn skills: --stale-days must be a positive number, not "${values['stale-days']}".\n`);
    return 2;
  }

  const home = cairnHome(io.env);
  const catalog = await loadSkillCatalog({ cwd: io.cwd, home, bundledDir: bundledSkillsDir() });
  const usage = new FileSkillUsage(home);
  const records = await new SkillRecords(home).all();

  if (sub === 'install' || sub === 'update') {
    const context = {
      io: { ...io, confirm: io.confirm ?? confirmOnTerminal },
      home,
      catalog,
      yes: values.yes,
      scope: values.project ? ('project' as const) : ('user' as const),
      ...(values.ref ? { ref: values.ref } : {}),
    };
    try {
      return sub === 'install'
        ? await runSkillsInstall(rest[0], context)
        : await runSkillsUpdate(rest[0], context);
    } catch (err) {
      io.err(`cairn skills ${sub}: ${errorMessage(err)}\n`);
      return 1;
    }
  }
  if (CHANGES.includes(sub))
    return runSkillsChange(sub, rest, {
      io: { ...io, confirm: io.confirm ?? confirmOnTerminal },
      home,
      catalog,
      yes: values.yes,
      json: values.json,
    });

  if (sub === 'show') {
    const name = rest[0];
    const skill = name ? catalog.get(name) : undefined;
    if (!skill) {
      const refused = catalog.refused.find((r) => r.name === name);
      io.err(
        refused
          ? `cairn skills: "${name}" was refused (${refused.file}): ${refused.reasons.join('; ')}\n`
          : `cairn skills: no skill named "${name ?? ''}". Run \`cairn skills\` to list them.\n`,
      );
      return 1;
    }
    const record = records[skill.usageKey];
    if (values.json) {
      io.out(JSON.stringify({ ...jsonOf(skill, record), body: skill.body }, null, 2) + '\n');
      return 0;
    }
    io.out(
      `${skill.name} (${skill.source}) ${skill.file}\nfrom ${originText(skill, record)}\n\n${skill.description}\n\n${skill.body.trim()}\n`,
    );
    return 0;
  }
  if (sub !== 'list') {
    io.err(`cairn skills: unknown subcommand "${sub}".\n\n${HELP}\n`);
    return 2;
  }

  const uses = await usage.all();
  const now = Date.now();
  const rows = await Promise.all(catalog.skills.map((s) => rowFor(s, uses[s.usageKey], staleDays, now)));

  if (values.json) {
    io.out(
      JSON.stringify(
        {
          skills: rows.map((r) => ({
            ...jsonOf(r.skill, records[r.skill.usageKey]),
            views: r.usage?.views ?? 0,
            lastUsed: r.usage?.lastUsed ?? null,
            stale: r.stale,
          })),
          shadowed: catalog.shadowed,
          refused: catalog.refused,
          errors: catalog.errors,
          inactive: catalog.inactive,
        },
        null,
        2,
      ) + '\n',
    );
    return 0;
  }

  const out: string[] = [];
  if (rows.length === 0) out.push('No skills found.');
  else {
    out.push(
      table([
        ['NAME', 'SOURCE', 'CATEGORY', 'VIEWS', 'LAST USED', 'STATUS', 'FROM'],
        ...rows.map((r) => [
          r.skill.name,
          r.skill.source,
          r.skill.category,
          String(r.usage?.views ?? 0),
          r.usage?.lastUsed ? ago(now - Date.parse(r.usage.lastUsed)) : 'never',
          r.status,
          originText(r.skill, records[r.skill.usageKey]),
        ]),
      ]),
    );
  }
  if (catalog.shadowed.length) {
    out.push('', 'Shadowed:');
    for (const s of catalog.shadowed)
      out.push(`  ${s.name} (${s.source}, ${s.file}) is hidden by the ${s.shadowedBy} skill`);
  }
  if (catalog.refused.length) {
    out.push('', 'Refused (looks unsafe, not loaded):');
    for (const r of catalog.refused) out.push(`  ${r.file}: ${r.reasons.join('; ')}`);
  }
  if (catalog.errors.length) {
    out.push('', 'Invalid (not loaded):');
    for (const e of catalog.errors) out.push(`  ${e.file}: ${e.message}`);
  }
  if (catalog.inactive.length) {
    out.push('', 'Not for this platform:');
    for (const i of catalog.inactive) out.push(`  ${i.name} (${i.source}): ${i.reason}`);
  }
  io.out(out.join('\n') + '\n');
  return 0;
}
