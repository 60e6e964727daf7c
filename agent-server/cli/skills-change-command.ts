import * as path from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { removeAnchored } from '../workspace/anchored-remove.js';
import { anchoredAt } from '../skills/skill-disk.js';
import { usageKeyFor, type SkillCatalog, type SkillSource } from '../skills/catalog.js';
import { SkillRecords } from '../skills/skill-records.js';
import { UserSkillVersions } from '../skills/user-skill-versions.js';
import { parseSkillFile } from '../skills/skill-file.js';
import { resolveLinkedFile } from '../skills/linked-files.js';
import { scanSkillText } from '../skills/index.js';
import type { LearningCommandIo } from './memory-command.js';

/**
 * `cairn skills rm|disable|enable|history|restore NAME`: the user's own changes to skills. Each
 * says what it will do and asks (or takes --yes); restored content is validated and scanned again.
 */
export interface SkillsChangeContext {
  io: LearningCommandIo;
  home: string;
  catalog: SkillCatalog;
  yes: boolean;
  json: boolean;
}

const UNTRUSTED: readonly SkillSource[] = ['project', 'agents', 'claude'];

function keyOf(source: SkillSource, name: string, cwd: string): string {
  return usageKeyFor({ source, untrusted: UNTRUSTED.includes(source) }, name, cwd);
}

async function ask(c: SkillsChangeContext, question: string): Promise<boolean> {
  if (c.yes || (await c.io.confirm(question))) return true;
  c.io.err('Nothing changed (answer yes, or pass --yes when there is no terminal).\n');
  return false;
}

export async function runSkillsChange(sub: string, args: string[], c: SkillsChangeContext): Promise<number> {
  const { io, catalog, home } = c;
  const name = args[0];
  if (!name) {
    io.err(`cairn skills ${sub}: which skill? Give its name.\n`);
    return 2;
  }
  const records = new SkillRecords(home);
  const versions = new UserSkillVersions(home);
  switch (sub) {
    case 'disable': {
      const skill = catalog.get(name);
      if (!skill) {
        io.err(`cairn skills: no loaded skill named "${name}".\n`);
        return 1;
      }
      await records.update(skill.usageKey, (prev) => ({ ...prev, disabled: true }));
      io.out(`Disabled the ${skill.source} skill ${name}: new sessions leave it out; its files are kept.\n`);
      return 0;
    }
    case 'enable': {
      const off = catalog.inactive.find((s) => s.name === name && s.reason.startsWith('disabled'));
      if (!off) {
        io.err(`cairn skills: "${name}" is not disabled.\n`);
        return 1;
      }
      await records.update(keyOf(off.source, name, io.cwd), (prev) => {
        const next = { ...prev };
        delete next.disabled;
        return next;
      });
      io.out(`Enabled ${name} again (from the next session).\n`);
      return 0;
    }
    case 'rm': {
      const skill = catalog.get(name);
      if (!skill || (skill.source !== 'project' && skill.source !== 'user')) {
        io.err(
          skill
            ? `cairn skills: ${name} comes from ${skill.source} (${skill.dir}), which Cairn does not change; disable it instead.\n`
            : `cairn skills: no skill named "${name}".\n`,
        );
        return 1;
      }
      io.out(`Remove the ${skill.source} skill ${name}: ${skill.dir}\n`);
      if (!(await ask(c, 'Remove it?'))) return 1;
      const before = skill.source === 'user' ? await versions.read(skill.dir) : null;
      // Opened again at the moment of removal, links never followed: project skills anchored at the
      // workspace, user skills at their own folder (a skill kept as a link loses only the link).
      const within =
        skill.source === 'project' ? anchoredAt(path.resolve(io.cwd)) : anchoredAt(path.dirname(skill.dir));
      await removeAnchored(within, skill.dir);
      if (skill.source === 'user')
        await versions.record(name, { before, after: null, message: 'removed (by hand)' });
      await records.update(skill.usageKey, () => undefined);
      io.out(
        skill.source === 'user'
          ? `Removed. \`cairn skills history ${name}\` keeps its versions.\n`
          : 'Removed. It is in the repository: git brings it back.\n',
      );
      return 0;
    }
    case 'history': {
      const list = await versions.list(name);
      if (c.json) io.out(JSON.stringify({ name, versions: list }, null, 2) + '\n');
      else
        io.out(
          list.length
            ? list
                .map(
                  (v) =>
                    `${String(v.number).padStart(3)}  ${v.at.slice(0, 19).replace('T', ' ')}  ${v.content ? '' : '(removed) '}${v.message}`,
                )
                .join('\n') + '\n'
            : `No versions of the user skill ${name}. (Project skills are versioned by the project's git.)\n`,
        );
      return 0;
    }
    case 'restore': {
      const number = Number(args[1]);
      const version = await versions.get(name, number);
      if (!version || !version.content) {
        io.err(
          version
            ? `cairn skills: version ${number} of ${name} is its removal; pick an earlier one.\n`
            : `cairn skills: no version "${args[1] ?? ''}" of ${name}; see \`cairn skills history ${name}\`.\n`,
        );
        return 1;
      }
      const dir = versions.dirOf(name);
      const main = version.content['SKILL.md'];
      try {
        if (main === undefined) throw new Error('that version has no SKILL.md');
        if (parseSkillFile(main, path.join(dir, 'SKILL.md')).frontmatter.name !== name)
          throw new Error(`its frontmatter names another skill`);
        for (const [rel, text] of Object.entries(version.content)) {
          if (rel !== 'SKILL.md') await resolveLinkedFile(dir, rel);
          const verdict = scanSkillText(text);
          if (!verdict.ok) throw new Error(`${rel} looks unsafe: ${verdict.reasons.join('; ')}`);
        }
      } catch (err) {
        io.err(`cairn skills: version ${number} of ${name} was not restored: ${(err as Error).message}\n`);
        return 1;
      }
      io.out(
        `Version ${number} of ${name} (${version.message}): ${Object.keys(version.content).join(', ')}\n`,
      );
      if (!(await ask(c, `Restore it to ${dir}?`))) return 1;
      const before = await versions.read(dir);
      for (const [rel, text] of Object.entries(version.content))
        await writeFileAtomic(path.join(dir, rel), text);
      await versions.record(name, {
        before,
        after: await versions.read(dir),
        message: `restored version ${number} (by hand)`,
      });
      io.out(`Restored ${name} to version ${number}.\n`);
      return 0;
    }
    default:
      return 2;
  }
}
