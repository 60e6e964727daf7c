import type { SessionMemory } from '../memory/session-memory.js';
import type { SessionSkills } from '../skills/session-skills.js';
import { memoryLabel } from '../memory/memory-store.js';
import { MemoryUsage, type MemoryUsageRecord } from '../memory/memory-usage.js';
import { SkillRecords } from '../skills/skill-records.js';
import { describeProvenance } from './provenance.js';

/** The bundled skill that holds the review procedure. */
export const REVIEW_SKILL = 'review-learning';

/**
 * `/review-learning`: a turn in which the agent reads its memory and the skills it can change,
 * with where each came from and how often skills were used, and proposes consolidation,
 * corrections and removals. Every change it then makes goes through the memory and skill_manage
 * tools, so the user reviews each one (a permission request with the entry or the diff).
 */
export function reviewLearningCommand(opts: { home: string; memory: SessionMemory; skills: SessionSkills }): {
  name: string;
  description: string;
  run(session: unknown, args: string): Promise<{ prompt: string }>;
} {
  return {
    name: 'review-learning',
    description: 'Review what Cairn has learned (memory, its skills) and propose fixes and removals',
    async run(_session, args) {
      const entries = await opts.memory.store.entries();
      const records = await new SkillRecords(opts.home).all();
      const usage = opts.skills.usage;
      const used = await usage.all();
      const memoryUsage = new MemoryUsage(opts.home);
      const loaded = await memoryUsage.all().catch(() => ({}) as Record<string, MemoryUsageRecord>);
      const memoryLines = entries.map((e) => {
        // Text the scanner flags is not shown to the model; it can still propose removing it.
        const text = e.blocked.length
          ? `[blocked by the scanner: ${e.blocked.join('; ')}]`
          : e.text.replace(/\n/g, ' ');
        const u = loaded[memoryUsage.keyOf(e.path, e.text)];
        const uses = `in ${u?.uses ?? 0} sessions' prompts, last ${u?.lastUsed.slice(0, 10) ?? 'never'}`;
        return `- (${memoryLabel(e.scope, e.target)}; from ${describeProvenance(e.provenance)}; ${uses}) ${text}`;
      });
      const skillLines = opts.skills.catalog.skills
        .filter((s) => s.source === 'project' || s.source === 'user')
        .map((s) => {
          const r = records[s.usageKey];
          const u = used[s.usageKey];
          const from = r?.origin ? `installed from ${r.origin.source}` : describeProvenance(r?.provenance);
          return `- ${s.name} (${s.source}; from ${from}; used ${u?.views ?? 0} times, last ${u?.lastUsed?.slice(0, 10) ?? 'never'}): ${s.description.replace(/\s+/g, ' ')}`;
        });
      // The procedure is the review-learning skill (bundled; a project or user copy takes
      // precedence). Without it, a short built-in version.
      const skill = opts.skills.catalog.get(REVIEW_SKILL);
      if (skill)
        await usage.recordUse(skill.usageKey).catch((err: unknown) => {
          console.error(`skills: could not record use of ${skill.name}:`, err);
        });
      const method = skill
        ? [
            `Follow the ${REVIEW_SKILL} skill:`,
            '',
            `<skill name="${skill.name}" source="${skill.source}">`,
            skill.body.trim(),
            '</skill>',
          ]
        : [
            'Look for entries that are wrong, stale, duplicated or better merged, skills never used or',
            'contradicting memory, and anything that should not be kept (secrets, one-off task state).',
            'First list your proposals with a reason each. Then make each change with the memory tool or',
            'skill_manage, one per call: the user reviews and approves every change; never work around a',
            'rejection. Read a skill with skill_view before patching it.',
          ];
      return {
        prompt: [
          'Review what you have learned in earlier sessions and propose improvements.',
          '',
          '## Memory entries',
          memoryLines.length ? memoryLines.join('\n') : '(none)',
          '',
          '## Skills you can change (project and user)',
          skillLines.length ? skillLines.join('\n') : '(none)',
          '',
          ...method,
          ...(args.trim() ? ['', `Focus: ${args.trim()}`] : []),
        ].join('\n'),
      };
    },
  };
}
