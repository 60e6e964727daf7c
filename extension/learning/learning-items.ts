/**
 * The "Memory & Skills" view's items, built from `cairn memory list --json` and
 * `cairn skills list --json`. Pure: no vscode, no I/O, so it is tested on its own.
 */

export interface ProvenanceJson {
  sessionId: string;
  date: string;
  project: string;
  prompt: string;
}

export interface MemoryListJson {
  entries: {
    id: string;
    scope: 'global' | 'project';
    target: 'memory' | 'user';
    path: string;
    index: number;
    text: string;
    provenance?: ProvenanceJson;
    blocked: string[];
    /** Sessions whose prompt carried it, the last one's time, and whether none did lately. */
    uses?: number;
    lastUsed?: string | null;
    stale?: boolean;
  }[];
}

export interface SkillsListJson {
  skills: {
    name: string;
    source: string;
    file: string;
    scan: string;
    provenance: ProvenanceJson | null;
    from: string;
    views: number;
    lastUsed: string | null;
    stale: boolean;
  }[];
  refused: { name?: string; file: string; source: string; reasons: string[] }[];
  inactive: { name: string; file: string; source: string; reason: string }[];
}

/** What a row can do; the view maps these to context values (and so to menu actions). */
export type LearningAction = 'forget' | 'edit' | 'open-session' | 'remove-skill' | 'disable' | 'enable';

export interface LearningItem {
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  /** File to open on click (at `line`, 0-based). */
  file?: string;
  line?: number;
  actions: LearningAction[];
  children?: LearningItem[];
  /** For actions: the memory entry id or skill name, and the session that wrote it. */
  target?: { kind: 'memory'; id: string; text: string } | { kind: 'skill'; name: string; source: string };
  sessionId?: string;
}

export function provenanceText(p: ProvenanceJson | null | undefined): string {
  if (!p) return 'by hand';
  return `session ${p.sessionId.slice(0, 8)}, ${p.date.slice(0, 10)}${p.prompt ? `: “${p.prompt}”` : ''}`;
}

function oneLine(text: string, max = 80): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** The line of entry `index` in a memory file's text (entries split by `§` lines). */
export function entryLine(fileText: string, index: number): number {
  const lines = fileText.split('\n');
  let entry = 1;
  for (let i = 0; i < lines.length; i++) {
    if (entry === index && lines[i]!.trim()) return i;
    if (/^[ \t]*§[ \t]*$/.test(lines[i]!)) entry++;
  }
  return 0;
}

const MEMORY_GROUPS: [string, 'global' | 'project', 'memory' | 'user'][] = [
  ['Global notes', 'global', 'memory'],
  ['About you', 'global', 'user'],
  ['Project notes', 'project', 'memory'],
  ['Project: about you', 'project', 'user'],
];

const SKILL_GROUPS: [string, string[]][] = [
  ['Repository skills', ['project', 'agents', 'claude']],
  ['Your skills', ['user']],
  ['Bundled skills', ['bundled']],
];

export function learningItems(memory: MemoryListJson, skills: SkillsListJson): LearningItem[] {
  const memoryGroups: LearningItem[] = MEMORY_GROUPS.map(([label, scope, target]) => {
    const entries = memory.entries.filter((e) => e.scope === scope && e.target === target);
    return {
      id: `memory:${scope}/${target}`,
      label,
      description: `${entries.length}`,
      actions: [],
      children: entries.map((e) => ({
        id: `memory:${e.id}`,
        label: oneLine(e.text),
        description:
          provenanceText(e.provenance) +
          (e.uses ? ` · used ${e.uses}×${e.lastUsed ? `, last ${e.lastUsed.slice(0, 10)}` : ''}` : '') +
          (e.stale ? ' · stale' : '') +
          (e.blocked.length ? ' · blocked by the scanner' : ''),
        tooltip: `${e.text}\n\nFrom ${provenanceText(e.provenance)}${e.provenance ? ` in ${e.provenance.project}` : ''}${e.blocked.length ? `\nKept out of the prompt: ${e.blocked.join('; ')}` : ''}`,
        file: e.path,
        line: e.index,
        actions: ['forget', 'edit', ...(e.provenance ? (['open-session'] as const) : [])],
        target: { kind: 'memory' as const, id: e.id, text: e.text },
        ...(e.provenance ? { sessionId: e.provenance.sessionId } : {}),
      })),
    };
  });
  const skillGroups: LearningItem[] = SKILL_GROUPS.map(([label, sources]) => {
    const loaded: LearningItem[] = skills.skills
      .filter((s) => sources.includes(s.source))
      .map((s) => ({
        id: `skill:${s.source}:${s.name}`,
        label: s.name,
        description: `${s.from} · used ${s.views}×${s.lastUsed ? `, last ${s.lastUsed.slice(0, 10)}` : ''}${s.stale ? ' · stale' : ''}`,
        tooltip: `${s.file}\nFrom ${s.from}\nScan: ${s.scan}\nUsed ${s.views} times`,
        file: s.file,
        line: 0,
        actions: [
          'edit',
          'disable',
          ...(s.source === 'user' || s.source === 'project' ? (['remove-skill'] as const) : []),
          ...(s.provenance ? (['open-session'] as const) : []),
        ],
        target: { kind: 'skill' as const, name: s.name, source: s.source },
        ...(s.provenance ? { sessionId: s.provenance.sessionId } : {}),
      }));
    const off: LearningItem[] = skills.inactive
      .filter((s) => sources.includes(s.source))
      .map((s) => ({
        id: `skill-off:${s.source}:${s.name}`,
        label: s.name,
        description: s.reason.startsWith('disabled') ? 'disabled' : s.reason,
        file: s.file,
        line: 0,
        actions: s.reason.startsWith('disabled') ? (['enable'] as LearningAction[]) : [],
        target: { kind: 'skill' as const, name: s.name, source: s.source },
      }));
    const refused: LearningItem[] = skills.refused
      .filter((s) => sources.includes(s.source))
      .map((s) => ({
        id: `skill-refused:${s.file}`,
        label: s.name ?? s.file,
        description: `refused by the scanner: ${s.reasons.join('; ')}`,
        file: s.file,
        line: 0,
        actions: [],
      }));
    const children = [...loaded, ...off, ...refused];
    return { id: `skills:${label}`, label, description: `${children.length}`, actions: [], children };
  });
  return [
    { id: 'memory', label: 'Memory', actions: [], children: memoryGroups },
    { id: 'skills', label: 'Skills', actions: [], children: skillGroups },
  ];
}
