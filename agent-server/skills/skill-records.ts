import * as path from 'node:path';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../util/atomic-write.js';
import { asProvenance, type Provenance } from '../learning/provenance.js';

/** Where an installed skill was fetched from, pinned to a commit. */
export interface SkillOrigin {
  /** What the user passed: a git URL, a local path, or owner/repo[/path]. */
  source: string;
  /** The folder of the skill inside that repository ('' at its root). */
  subpath: string;
  ref?: string;
  commit?: string;
  installedAt: string;
}

/** What Cairn knows of a skill beyond its files, by `Skill.usageKey`. */
export interface SkillRecord {
  /** The last agent change (create, patch, edit…) and the session behind it. */
  provenance?: Provenance;
  action?: string;
  origin?: SkillOrigin;
  /** The user turned it off (`cairn skills disable`): not loaded, files kept. */
  disabled?: boolean;
}

interface RecordsFile {
  version: 1;
  skills: Record<string, SkillRecord>;
}

/**
 * `<home>/skill-records.json`: provenance, install origin and the disabled flag of skills, kept
 * beside them in Cairn's home rather than inside SKILL.md (which the model reads and a repo
 * could forge). Rewritten atomically; each change re-reads first, changes are queued.
 */
export class SkillRecords {
  readonly file: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(home: string) {
    this.file = path.join(home, 'skill-records.json');
  }

  async all(): Promise<Record<string, SkillRecord>> {
    await this.queue.catch(() => undefined);
    return (await this.read()).skills;
  }

  async get(key: string): Promise<SkillRecord | undefined> {
    return (await this.all())[key];
  }

  /** Usage keys of the skills the user disabled. */
  async disabled(): Promise<Set<string>> {
    const all = await this.all();
    return new Set(Object.keys(all).filter((k) => all[k]!.disabled));
  }

  /** Changes one skill's record; `undefined` from `change` removes it. */
  update(key: string, change: (prev: SkillRecord | undefined) => SkillRecord | undefined): Promise<void> {
    const next = this.queue
      .catch(() => undefined)
      .then(async () => {
        const data = await this.read();
        const record = change(data.skills[key]);
        if (record && Object.keys(record).length) data.skills[key] = record;
        else delete data.skills[key];
        await writeFileAtomic(this.file, JSON.stringify(data, null, 2) + '\n');
      });
    this.queue = next;
    return next;
  }

  private async read(): Promise<RecordsFile> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, skills: {} };
      throw err;
    }
    try {
      const parsed = JSON.parse(text) as Partial<RecordsFile>;
      const skills: Record<string, SkillRecord> = {};
      for (const [key, value] of Object.entries(parsed.skills ?? {})) {
        if (!value || typeof value !== 'object') continue;
        const v = value as SkillRecord;
        const provenance = asProvenance(v.provenance);
        skills[key] = {
          ...(provenance ? { provenance } : {}),
          ...(typeof v.action === 'string' ? { action: v.action } : {}),
          ...(v.origin && typeof v.origin.source === 'string' ? { origin: v.origin } : {}),
          ...(v.disabled === true ? { disabled: true } : {}),
        };
      }
      return { version: 1, skills };
    } catch {
      console.error(`skills: ${this.file} is not valid JSON; starting a new one.`);
      return { version: 1, skills: {} };
    }
  }
}
