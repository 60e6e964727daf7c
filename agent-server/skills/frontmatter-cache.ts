import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { splitFrontmatter, validateFrontmatter, type ParsedSkillFile } from './skill-frontmatter.js';

/**
 * What YAML made of each SKILL.md frontmatter seen before, kept in Cairn's home, so a session
 * start reads its skills without loading or running the YAML parser (the largest share of a
 * `session/new` on a cold process). Keyed by a hash of the YAML parser's version and the
 * frontmatter's exact text, so an entry can only ever be what the parser would say again;
 * validation against the schema still runs every time. Only successes are kept: a broken
 * frontmatter is parsed again, so its error message is always the parser's own.
 */
export class FrontmatterCache {
  private entries = new Map<string, unknown>();
  private used = new Set<string>();
  private dirty = false;
  private loaded: Promise<void> | undefined;

  constructor(
    private readonly file: string,
    /** Entries kept at most: the ones used by the latest load first. */
    private readonly limit = 2000,
  ) {}

  static inHome(home: string): FrontmatterCache {
    return new FrontmatterCache(path.join(home, 'cache', 'skill-frontmatter.json'));
  }

  /** Splits and validates a SKILL.md, as parseSkillFile does. Throws SkillFormatError. */
  async parse(text: string, file: string): Promise<ParsedSkillFile> {
    await (this.loaded ??= this.load());
    const { yaml, bodyStart } = splitFrontmatter(text, file);
    const key = createHash('sha256').update(YAML_PARSER).update('\0').update(yaml).digest('base64url');
    let value = this.entries.get(key);
    if (value === undefined) {
      const { frontmatterToJs } = await import('./skill-file.js');
      value = frontmatterToJs(yaml, file);
      this.entries.set(key, value);
      this.dirty = true;
    }
    this.used.add(key);
    return { frontmatter: validateFrontmatter(structuredClone(value), file), body: text.slice(bodyStart) };
  }

  /** Writes new entries (atomically; a failure only costs a parse next time). */
  async save(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    const keep = [...this.entries].sort(([a], [b]) => Number(this.used.has(b)) - Number(this.used.has(a)));
    const body = JSON.stringify({ format: FORMAT, entries: Object.fromEntries(keep.slice(0, this.limit)) });
    const tmp = `${this.file}.${randomUUID()}.tmp`;
    try {
      await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
      await fs.writeFile(tmp, body, { mode: 0o600 });
      await fs.rename(tmp, this.file);
    } catch {
      await fs.rm(tmp, { force: true }).catch(() => undefined);
    }
  }

  private async load(): Promise<void> {
    try {
      const data = JSON.parse(await fs.readFile(this.file, 'utf8')) as {
        format?: unknown;
        entries?: Record<string, unknown>;
      };
      if (data.format === FORMAT && data.entries && typeof data.entries === 'object')
        this.entries = new Map(Object.entries(data.entries).filter(([, v]) => v !== undefined));
    } catch {
      // Missing or unreadable: start empty, it is only a cache.
    }
  }
}

const FORMAT = 1;

declare const __YAML_VERSION__: string | undefined;

/** Part of every key: a YAML parser upgrade may read the same text differently. */
const YAML_PARSER = `yaml@${
  typeof __YAML_VERSION__ === 'string'
    ? __YAML_VERSION__
    : (createRequire(import.meta.url)('yaml/package.json') as { version: string }).version
}`;
