import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { cairnHome } from '../config/home.js';
import { bundledSkillsDir } from '../config/package-root.js';
import { FileSkillUsage, loadSkillCatalog, type Skill, type SkillUsageRecord } from '../skills/index.js';

export interface SkillsCommandIo {
  out: (s: string) => void;
  err: (s: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export const SKILLS_HELP = `Usage: cairn skills [list] [--json] [--stale-days N]
       cairn skills show <name>

Lists the skills a session in this folder would see, highest precedence first:
  project  .cairn/skills/        (in the repo, shared through git)
  agents   .agents/skills/       (read-only)
  claude   .claude/skills/       (read-only)
  user     $CAIRN_HOME/skills/   (default ~/.cairn/skills)
  bundled  shipped with Cairn
with how often each was used, and which are stale (unused for --stale-days, default 30),
shadowed by a same-named skill, refused as unsafe, or invalid.`;
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
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    io.err(`cairn skills: ${(err as Error).message}\n\n${HELP}\n`);
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
    io.out(`${skill.name} (${skill.source}) ${skill.file}\n\n${skill.description}\n\n${skill.body.trim()}\n`);
    return 0;
  }
  if (sub !== 'list') {
    io.err(`cairn skills: unknown subcommand "${sub}".\n\n${HELP}\n`);
    return 2;
  }

  const records = await usage.all();
  const now = Date.now();
  const rows = await Promise.all(catalog.skills.map((s) => rowFor(s, records[s.usageKey], staleDays, now)));

  if (values.json) {
    io.out(
      JSON.stringify(
        {
          skills: rows.map((r) => ({
            name: r.skill.name,
            source: r.skill.source,
            category: r.skill.category,
            file: r.skill.file,
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
        ['NAME', 'SOURCE', 'CATEGORY', 'VIEWS', 'LAST USED', 'STATUS'],
        ...rows.map((r) => [
          r.skill.name,
          r.skill.source,
          r.skill.category,
          String(r.usage?.views ?? 0),
          r.usage?.lastUsed ? ago(now - Date.parse(r.usage.lastUsed)) : 'never',
          r.status,
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
