import type { SkillCatalog } from './catalog.js';

/**
 * One line per skill that was not loaded, for the user to see (session start notice, CLI):
 * refused ones with the scanner's reasons, invalid ones with the file and what to fix.
 */
export function catalogNotices(catalog: Pick<SkillCatalog, 'refused' | 'errors'>): string[] {
  return [
    ...catalog.refused.map(
      (r) =>
        `Skill ${r.name ? `"${r.name}" ` : ''}not loaded (${r.file}): it looks unsafe — ${r.reasons.join('; ')}`,
    ),
    ...catalog.errors.map((e) => `Skill not loaded (${e.file}): ${e.message}`),
  ];
}
