import type { Skill, SkillCatalog } from './catalog.js';
import { sourceRank } from './catalog.js';

/**
 * The index must stay small whatever is installed: under 1,500 tokens with 100 skills.
 * The server carries no tokenizer, so it budgets with `estimateTokens`, which errs high for
 * prose and for the digit- and hyphen-heavy names skills tend to have (the unit test checks
 * the result with a real tokenizer).
 */
export const SKILLS_INDEX_MAX_TOKENS = 1300;

/**
 * Upper-bound-ish token count for BPE tokenizers: a letter run costs one token per 4 letters,
 * a digit run one per 3 digits, any other visible character one token; spaces ride along.
 */
export function estimateTokens(text: string): number {
  let tokens = 0;
  for (const m of text.matchAll(/[A-Za-z]+|[0-9]+|\S/g)) {
    const piece = m[0];
    if (/^[A-Za-z]/.test(piece)) tokens += Math.ceil(piece.length / 4);
    else if (/^[0-9]/.test(piece)) tokens += Math.ceil(piece.length / 3);
    else tokens += 1;
  }
  return tokens;
}

/** Even when everything fits, a description in the index is a hint, not the documentation. */
const DESCRIPTION_CAP = 160;

const PREAMBLE = [
  'Skills are saved procedures for this project and user. Only their names are listed here: when a task matches one, call `skill_view` with its name first and follow it (its linked files are read with `file_path`). The user can also invoke a skill as `/name`.',
  'After a complex task succeeds (many tool calls, a tricky fix, a procedure you had to work out), offer to save it as a skill with `skill_manage` (action `create`; the user reviews it). When a skill you followed turned out wrong or outdated, fix it with `skill_manage` action `patch`.',
].join('\n');

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function clip(text: string, cap: number): { text: string; clipped: boolean } {
  if (text.length <= cap) return { text, clipped: false };
  if (cap <= 1) return { text: '', clipped: true };
  return { text: text.slice(0, cap - 1).trimEnd() + '…', clipped: true };
}

function render(skills: readonly Skill[], cap: number, omitted: number): { text: string; clipped: boolean } {
  const groups = new Map<string, Skill[]>();
  for (const s of skills) {
    const list = groups.get(s.category) ?? [];
    list.push(s);
    groups.set(s.category, list);
  }
  const lines: string[] = [PREAMBLE];
  let clipped = false;
  for (const category of [...groups.keys()].sort()) {
    lines.push(`## ${category}`);
    for (const s of groups.get(category)!.sort((a, b) => a.name.localeCompare(b.name))) {
      const desc = clip(oneLine(s.description), cap);
      clipped ||= desc.clipped;
      lines.push(desc.text ? `- ${s.name}: ${desc.text}` : `- ${s.name}`);
    }
  }
  if (omitted > 0)
    lines.push(`…and ${omitted} more skills not listed here: call \`skills_list\` to see all.`);
  if (clipped)
    lines.push('(Descriptions are shortened here; `skills_list` and `skill_view` show them in full.)');
  return { text: lines.join('\n') + '\n', clipped };
}

/**
 * The skills section of the system prompt (its text; the prompt builder adds the "Skills" title):
 * names and short descriptions, grouped by category.
 * Deterministic for a given catalog, so a session that builds it once keeps a byte-stable prompt.
 */
export function renderSkillsIndex(
  catalog: Pick<SkillCatalog, 'skills'>,
  maxTokens = SKILLS_INDEX_MAX_TOKENS,
): string {
  const fits = (text: string) => estimateTokens(text) <= maxTokens;
  if (catalog.skills.length === 0) {
    return `${PREAMBLE}\nNo skills are installed yet.\n`;
  }
  // Lowest precedence is dropped first when even bare names do not fit.
  const ordered = [...catalog.skills].sort(
    (a, b) => sourceRank(a.source) - sourceRank(b.source) || a.name.localeCompare(b.name),
  );
  for (let keep = ordered.length; keep >= 0; keep--) {
    const kept = ordered.slice(0, keep);
    const omitted = ordered.length - keep;
    const full = render(kept, DESCRIPTION_CAP, omitted);
    if (fits(full.text)) return full.text;
    // Largest description cap that fits, by bisection (length grows with the cap).
    let lo = 0;
    let hi = DESCRIPTION_CAP;
    if (!fits(render(kept, 0, omitted).text)) continue;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (fits(render(kept, mid, omitted).text)) lo = mid;
      else hi = mid - 1;
    }
    // Very short clips are noise; below ~24 characters show names only.
    return render(kept, lo >= 24 ? lo : 0, omitted).text;
  }
  return `${PREAMBLE}\n`;
}
