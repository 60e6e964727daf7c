import * as path from 'node:path';
import { VersionJournal, type Version } from '../learning/version-journal.js';
import type { Provenance } from '../learning/provenance.js';
import { listLinkedFiles } from './linked-files.js';
import { readSkillText } from './skill-disk.js';

/** A user skill's files (SKILL.md and linked files, by relative path) at one version. */
export type SkillFiles = Record<string, string>;

const MAX_FILE_BYTES = 1024 * 1024;

/**
 * Versions of user skills (`<home>/skills/NAME`), one journal per skill name. Project skills are
 * versioned by the project's own git.
 */
export class UserSkillVersions {
  private readonly journal: VersionJournal<SkillFiles>;

  constructor(private readonly home: string) {
    this.journal = new VersionJournal<SkillFiles>(home);
  }

  dirOf(name: string): string {
    return path.join(this.home, 'skills', name);
  }

  list(name: string): Promise<Version<SkillFiles>[]> {
    return this.journal.list(`skills/${name}`);
  }

  get(name: string, number: number): Promise<Version<SkillFiles> | undefined> {
    return this.journal.get(`skills/${name}`, number);
  }

  /** A user skill folder's files as they are now; null when it has no SKILL.md. */
  async read(dir: string): Promise<SkillFiles | null> {
    const main = await readSkillText(path.join(dir, 'SKILL.md'), undefined, MAX_FILE_BYTES).catch(
      () => undefined,
    );
    if (main === undefined) return null;
    const files: SkillFiles = { 'SKILL.md': main };
    for (const rel of await listLinkedFiles(dir).catch(() => [] as string[])) {
      const text = await readSkillText(path.join(dir, rel), undefined, MAX_FILE_BYTES).catch(() => undefined);
      if (text !== undefined) files[rel] = text;
    }
    return files;
  }

  record(
    name: string,
    change: {
      before: SkillFiles | null;
      after: SkillFiles | null;
      provenance?: Provenance;
      message?: string;
    },
  ): Promise<void> {
    return this.journal.record(`skills/${name}`, change);
  }
}
