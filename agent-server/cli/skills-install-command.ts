import * as path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { writeFileAtomic } from '../util/atomic-write.js';
import { usageKeyFor, type SkillCatalog } from '../skills/catalog.js';
import { SkillRecords, type SkillOrigin } from '../skills/skill-records.js';
import { UserSkillVersions, type SkillFiles } from '../skills/user-skill-versions.js';
import { fetchSkills, type FetchedSkill } from '../skills/skill-fetch.js';
import type { LearningCommandIo } from './memory-command.js';

export interface SkillsInstallContext {
  io: LearningCommandIo;
  home: string;
  catalog: SkillCatalog;
  yes: boolean;
  scope: 'user' | 'project';
  ref?: string;
}

function targetDir(c: SkillsInstallContext, name: string): string {
  return c.scope === 'project'
    ? path.join(path.resolve(c.io.cwd), '.cairn', 'skills', name)
    : path.join(c.home, 'skills', name);
}

function describeSkill(s: FetchedSkill): string {
  const files = Object.entries(s.sizes).map(([f, n]) => `    ${f} (${n} bytes)`);
  const scan = s.problems.length
    ? `  REFUSED:\n${s.problems.map((p) => `    - ${p}`).join('\n')}`
    : '  scan: passed';
  return `  ${s.name} — ${s.description.replace(/\s+/g, ' ')}\n${files.join('\n')}\n${scan}`;
}

async function writeSkillFiles(dir: string, files: SkillFiles): Promise<void> {
  // Written as plain files: nothing installed is executable, nothing runs.
  for (const [rel, text] of Object.entries(files)) await writeFileAtomic(path.join(dir, rel), text, 0o644);
}

/**
 * `cairn skills install SOURCE [--project|--user] [--ref REF]`: fetch, validate, scan, show, ask,
 * then install pinned to the commit and record the origin. A skill that fails the scan is refused.
 */
export async function runSkillsInstall(source: string | undefined, c: SkillsInstallContext): Promise<number> {
  const { io } = c;
  if (!source) {
    io.err('cairn skills install: give a git URL, a local path or owner/repo[/path].\n');
    return 2;
  }
  const fetched = await fetchSkills(source, { cwd: io.cwd, ...(c.ref ? { ref: c.ref } : {}) });
  try {
    if (!fetched.skills.length) {
      io.err(`cairn skills install: no skill (a folder with SKILL.md) found in ${source}.\n`);
      return 1;
    }
    io.out(
      `From ${source}${fetched.commit ? ` @ ${fetched.commit.slice(0, 12)}` : ''}, into the ${c.scope} skills:\n` +
        fetched.skills.map(describeSkill).join('\n') +
        '\n',
    );
    const refused = fetched.skills.filter((s) => s.problems.length);
    if (refused.length) {
      io.err(
        `Refused: ${refused.map((s) => `${s.name} (${s.problems.join('; ')})`).join(', ')}. Nothing was installed.\n`,
      );
      return 1;
    }
    const existing = fetched.skills.filter((s) => c.catalog.get(s.name)?.source === c.scope);
    if (existing.length) {
      io.err(
        `Already installed as ${c.scope} skills: ${existing.map((s) => s.name).join(', ')}. Use \`cairn skills update\` or remove them first.\n`,
      );
      return 1;
    }
    if (!c.yes && !(await io.confirm(`Install ${fetched.skills.length} skill(s)?`))) {
      io.err('Nothing installed (answer yes, or pass --yes when there is no terminal).\n');
      return 1;
    }
    const records = new SkillRecords(c.home);
    const versions = new UserSkillVersions(c.home);
    for (const s of fetched.skills) {
      await writeSkillFiles(targetDir(c, s.name), s.files);
      const origin: SkillOrigin = {
        source,
        subpath: s.subpath,
        ...(c.ref ? { ref: c.ref } : {}),
        ...(fetched.commit ? { commit: fetched.commit } : {}),
        installedAt: new Date().toISOString(),
      };
      const key = usageKeyFor({ source: c.scope, untrusted: c.scope === 'project' }, s.name, io.cwd);
      await records.update(key, () => ({ origin }));
      if (c.scope === 'user')
        await versions.record(s.name, {
          before: null,
          after: s.files,
          message: `installed from ${source}${fetched.commit ? ` @ ${fetched.commit}` : ''}`,
        });
      io.out(`Installed ${s.name} → ${targetDir(c, s.name)} (use it as /${s.name}).\n`);
    }
    return 0;
  } finally {
    await fetched.dispose();
  }
}

/** `cairn skills update [NAME]`: fetch installed skills' origins again, show the diff, ask, apply. */
export async function runSkillsUpdate(name: string | undefined, c: SkillsInstallContext): Promise<number> {
  const { io } = c;
  const records = new SkillRecords(c.home);
  const all = await records.all();
  const installed = c.catalog.skills.filter(
    (s) => all[s.usageKey]?.origin && (name === undefined || s.name === name),
  );
  if (!installed.length) {
    io.err(
      name
        ? `cairn skills update: ${name} was not installed from a source.\n`
        : 'No installed skills to update.\n',
    );
    return 1;
  }
  let code = 0;
  for (const skill of installed) {
    const origin = all[skill.usageKey]!.origin!;
    const fetched = await fetchSkills(origin.source, {
      cwd: io.cwd,
      ...(origin.ref ? { ref: origin.ref } : {}),
    });
    try {
      const next = fetched.skills.find((s) => s.name === skill.name);
      if (!next) {
        io.err(`${skill.name}: no longer found in ${origin.source}.\n`);
        code = 1;
        continue;
      }
      const versions = new UserSkillVersions(c.home);
      const current = (await versions.read(skill.dir)) ?? {};
      const names = [...new Set([...Object.keys(current), ...Object.keys(next.files)])].sort();
      const diff = names
        .filter((f) => current[f] !== next.files[f])
        .map((f) => createTwoFilesPatch(`a/${f}`, `b/${f}`, current[f] ?? '', next.files[f] ?? ''))
        .join('');
      if (!diff) {
        io.out(`${skill.name}: up to date${fetched.commit ? ` (${fetched.commit.slice(0, 12)})` : ''}.\n`);
        continue;
      }
      io.out(
        `${skill.name}: ${origin.commit?.slice(0, 12) ?? '?'} → ${fetched.commit?.slice(0, 12) ?? '(folder)'}\n${diff}`,
      );
      if (next.problems.length) {
        io.err(`${skill.name}: the new version is refused: ${next.problems.join('; ')}. Nothing changed.\n`);
        code = 1;
        continue;
      }
      if (!c.yes && !(await io.confirm(`Apply this update to ${skill.name}?`))) {
        io.err(`${skill.name}: not updated.\n`);
        code = 1;
        continue;
      }
      await writeSkillFiles(skill.dir, next.files);
      await records.update(skill.usageKey, (prev) => ({
        ...prev,
        origin: {
          ...origin,
          ...(fetched.commit ? { commit: fetched.commit } : {}),
          installedAt: new Date().toISOString(),
        },
      }));
      if (skill.source === 'user')
        await versions.record(skill.name, {
          before: current,
          after: await versions.read(skill.dir),
          message: `updated from ${origin.source}${fetched.commit ? ` @ ${fetched.commit}` : ''}`,
        });
      io.out(`${skill.name}: updated.\n`);
    } finally {
      await fetched.dispose();
    }
  }
  return code;
}
