import * as path from 'node:path';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../util/atomic-write.js';

export interface SkillUsageRecord {
  views: number;
  /** ISO time of the last view or slash-command use. */
  lastUsed?: string;
}

/** How often each skill was loaded, by `Skill.usageKey`. Lives in Cairn's home. */
export interface SkillUsageTracker {
  recordUse(usageKey: string, when?: Date): Promise<void>;
  get(usageKey: string): Promise<SkillUsageRecord | undefined>;
  all(): Promise<Record<string, SkillUsageRecord>>;
}

export class InMemorySkillUsage implements SkillUsageTracker {
  private readonly records = new Map<string, SkillUsageRecord>();

  async recordUse(usageKey: string, when = new Date()): Promise<void> {
    const prev = this.records.get(usageKey);
    this.records.set(usageKey, { views: (prev?.views ?? 0) + 1, lastUsed: when.toISOString() });
  }
  async get(usageKey: string): Promise<SkillUsageRecord | undefined> {
    return this.records.get(usageKey);
  }
  async all(): Promise<Record<string, SkillUsageRecord>> {
    return Object.fromEntries(this.records);
  }
}

interface UsageFile {
  version: 1;
  skills: Record<string, SkillUsageRecord>;
}

/**
 * `<home>/skill-usage.json`, rewritten atomically. Each write re-reads the file first so that
 * several Cairn processes lose at most a concurrent increment, never the file.
 */
export class FileSkillUsage implements SkillUsageTracker {
  readonly file: string;
  private queue: Promise<void> = Promise.resolve();

  constructor(home: string) {
    this.file = path.join(home, 'skill-usage.json');
  }

  private async read(): Promise<UsageFile> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, skills: {} };
      throw err;
    }
    try {
      const parsed = JSON.parse(text) as Partial<UsageFile>;
      if (parsed && typeof parsed.skills === 'object' && parsed.skills)
        return { version: 1, skills: parsed.skills };
    } catch {
      // Fall through: a damaged usage file is only statistics; start again rather than fail a turn.
    }
    console.error(`skills: ${this.file} is not valid usage data; starting a new one.`);
    return { version: 1, skills: {} };
  }

  recordUse(usageKey: string, when = new Date()): Promise<void> {
    const next = this.queue.then(async () => {
      const data = await this.read();
      const prev = data.skills[usageKey];
      data.skills[usageKey] = { views: (prev?.views ?? 0) + 1, lastUsed: when.toISOString() };
      await writeFileAtomic(this.file, JSON.stringify(data, null, 2) + '\n');
    });
    // Keep the chain alive after a failure; the caller still sees this one's error.
    this.queue = next.catch(() => undefined);
    return next;
  }

  async get(usageKey: string): Promise<SkillUsageRecord | undefined> {
    await this.queue;
    return (await this.read()).skills[usageKey];
  }

  async all(): Promise<Record<string, SkillUsageRecord>> {
    await this.queue;
    return (await this.read()).skills;
  }
}
