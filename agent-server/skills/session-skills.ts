import type { ToolDefinition } from '../tools/types.js';
import { createSkillTools } from '../tools/skills-tools.js';
import type { SkillCatalog } from './catalog.js';
import { expandSkillCommand, skillCommands } from './commands.js';
import { catalogNotices } from './notices.js';
import { renderSkillsIndex } from './prompt-index.js';
import { FileSkillUsage, type SkillUsageTracker } from './usage.js';
import { SkillRecords, type SkillRecord } from './skill-records.js';
import { describeProvenance } from '../learning/provenance.js';

/**
 * A slash command as the session runtime takes it: `reply` is shown without calling the model,
 * `prompt` replaces what the user typed and runs a normal turn.
 */
export interface SkillSlashCommand {
  name: string;
  description: string;
  hint?: string;
  run(session: unknown, args: string): Promise<{ reply: string } | { prompt: string }>;
}

/** Everything a session needs from skills, built once when the session starts. */
export interface SessionSkills {
  catalog: SkillCatalog;
  /** The system prompt section, fixed for the session (the prompt stays byte-stable). */
  promptSection: { title: string; text: string };
  tools: ToolDefinition[];
  /** Where uses of skills are counted (views and slash commands). */
  usage: SkillUsageTracker;
  /** Skills that were not loaded (unsafe or invalid), for the user to see once. */
  notices: string[];
  /** `/skills` plus one command per skill; call again after a change. */
  commands(): SkillSlashCommand[];
  /** Called after skills change (e.g. `skill_manage` created one): re-send the command list. */
  onChange(listener: () => void): () => void;
}

export interface SessionSkillsOptions {
  catalog: SkillCatalog;
  cwd?: string;
  home: string;
  usage?: SkillUsageTracker;
}

function fromText(record: SkillRecord | undefined, source: string): string {
  if (record?.origin) return `installed from ${record.origin.source}`;
  if (record?.provenance) return `${record.action ?? 'written'} by ${describeProvenance(record.provenance)}`;
  return source === 'bundled' ? 'shipped with Cairn' : 'by hand';
}

function listReply(catalog: SkillCatalog, records: Record<string, SkillRecord>): string {
  if (catalog.skills.length === 0)
    return 'No skills are installed. Ask me to save one after a task worth repeating.';
  const lines = catalog.skills.map(
    (s) =>
      `- \`/${s.name}\` (${s.source}) — ${s.description.replace(/\s+/g, ' ')}\n  _from ${fromText(records[s.usageKey], s.source)}_`,
  );
  for (const s of catalog.shadowed)
    lines.push(`- ${s.name} from ${s.source} is shadowed by the ${s.shadowedBy} skill`);
  for (const notice of catalogNotices(catalog)) lines.push(`- ${notice}`);
  return `Skills (highest precedence first: project, .agents, .claude, user, bundled):\n${lines.join('\n')}`;
}

/** Wires skills into a session: prompt section, tools, slash commands, change notifications. */
export function createSessionSkills(opts: SessionSkillsOptions): SessionSkills {
  const { catalog } = opts;
  const usage = opts.usage ?? new FileSkillUsage(opts.home);
  const tools = createSkillTools({ catalog, ...(opts.cwd ? { cwd: opts.cwd } : {}), home: opts.home, usage });
  return {
    catalog,
    promptSection: { title: 'Skills', text: renderSkillsIndex(catalog) },
    tools,
    usage,
    notices: catalogNotices(catalog),
    commands() {
      const list: SkillSlashCommand[] = [
        {
          name: 'skills',
          description: 'List the skills this session can use, and any that were refused',
          async run() {
            const records = await new SkillRecords(opts.home).all().catch(() => ({}));
            return { reply: listReply(catalog, records) };
          },
        },
      ];
      for (const command of skillCommands(catalog)) {
        list.push({
          ...command,
          async run(_session, args) {
            const prompt = expandSkillCommand(catalog, command.name, args);
            if (prompt === undefined) return { reply: `The skill "${command.name}" is no longer available.` };
            const skill = catalog.get(command.name);
            if (skill) {
              await usage.recordUse(skill.usageKey).catch((err: unknown) => {
                console.error(`skills: could not record use of ${skill.name}:`, err);
              });
            }
            return { prompt };
          },
        });
      }
      return list;
    },
    onChange(listener) {
      return catalog.onChange(() => listener());
    },
  };
}
