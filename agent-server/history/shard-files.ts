import * as path from 'node:path';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import type { SqlJsStatic } from 'sql.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { IndexShard } from './index-shard.js';

const CATALOG = 'catalog.sqlite';
/**
 * Sealed shards kept open after a query, newest use last, up to this many file bytes (about
 * six shards): a query fans out over every shard it needs, so when they fit they stay open and
 * the next query opens none; past it the least recently used are closed.
 */
export const DEFAULT_OPEN_SHARD_BYTES = 48 << 20;
/** Open shards are all closed after this long without a query, giving their memory back. */
const IDLE_CLOSE_MS = 120_000;
/** Files no catalog names are removed once this old (another process sharing the home may still use newer ones). */
const STALE_MS = 60 * 60_000;

/**
 * The index's files under `<history>/index/`: `catalog.sqlite` and `shard-<id>-<gen>.sqlite`.
 * Each write goes to a new generation (temp file + rename), and the catalog names the
 * generations it goes with, so a crash between writes leaves the previous, consistent set.
 */
export class ShardFiles {
  /** Open sealed shards by file name, least recently used first. */
  private readonly open = new Map<string, { shard: IndexShard; bytes: number; users: number }>();
  private openBytes = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly written = new Set<string>();

  constructor(
    readonly dir: string,
    private readonly openBudget = DEFAULT_OPEN_SHARD_BYTES,
  ) {}

  async readCatalog(): Promise<Uint8Array | undefined> {
    return readOptional(path.join(this.dir, CATALOG));
  }

  async writeCatalog(bytes: Uint8Array): Promise<void> {
    await writeFileAtomic(path.join(this.dir, CATALOG), bytes, 0o600);
  }

  async readShard(id: number, gen: string): Promise<Uint8Array | undefined> {
    return readOptional(path.join(this.dir, shardFile(id, gen)));
  }

  async writeShard(id: number, gen: string, bytes: Uint8Array): Promise<void> {
    await writeFileAtomic(path.join(this.dir, shardFile(id, gen)), bytes, 0o600);
    this.written.add(shardFile(id, gen));
  }

  /**
   * Runs `use` on a sealed shard, opened from its file or kept open from an earlier query;
   * false when the file is missing. A shard in use is never closed under its user.
   */
  async withShard(
    sql: SqlJsStatic,
    id: number,
    gen: string,
    use: (shard: IndexShard) => void | Promise<void>,
  ): Promise<boolean> {
    const name = shardFile(id, gen);
    let entry = this.open.get(name);
    if (entry) {
      this.open.delete(name);
      this.open.set(name, entry);
    } else {
      const bytes = await this.readShard(id, gen);
      if (!bytes) {
        process.stderr.write(
          `cairn: history index shard ${name} is missing; delete ${this.dir} to rebuild the index\n`,
        );
        return false;
      }
      // Another query may have opened it while the file was read.
      entry = this.open.get(name) ?? {
        shard: IndexShard.open(sql, bytes),
        bytes: bytes.byteLength,
        users: 0,
      };
      if (!this.open.has(name)) {
        this.open.set(name, entry);
        this.openBytes += entry.bytes;
      }
    }
    this.touch();
    entry.users++;
    try {
      await use(entry.shard);
    } finally {
      entry.users--;
      this.evict();
    }
    return true;
  }

  /** A shard rewritten under a new generation: its open copy (already changed) goes by the new name. */
  renamed(id: number, from: string, to: string): void {
    const entry = this.open.get(shardFile(id, from));
    if (!entry) return;
    this.open.delete(shardFile(id, from));
    this.open.set(shardFile(id, to), entry);
  }

  /** Closes every open shard not in use. */
  closeCached(): void {
    for (const [name, entry] of this.open) if (!entry.users) this.drop(name, entry);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private evict(): void {
    for (const [name, entry] of this.open) {
      if (this.openBytes <= this.openBudget) return;
      if (!entry.users) this.drop(name, entry);
    }
  }

  private drop(name: string, entry: { shard: IndexShard; bytes: number }): void {
    this.open.delete(name);
    this.openBytes -= entry.bytes;
    entry.shard.close();
  }

  private touch(): void {
    if (this.idleTimer) return void this.idleTimer.refresh();
    this.idleTimer = setTimeout(() => this.closeCached(), IDLE_CLOSE_MS);
    this.idleTimer.unref();
  }

  /**
   * Removes shard files the catalog does not name: at start, those left long enough that no
   * other process can be using them; after a save, the previous generations this process wrote.
   */
  async removeUnreferenced(
    shards: { id: number; gen: string }[],
    opts: { ownOnly?: boolean } = {},
  ): Promise<void> {
    const keep = new Set(shards.map((s) => shardFile(s.id, s.gen)));
    const names = await readdir(this.dir).catch(() => [] as string[]);
    for (const name of names) {
      if (keep.has(name)) continue;
      const tempOf = /^\.(.+)\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name);
      const isShard = /^shard-\d+-[0-9a-f]+\.sqlite$/.test(name);
      if (!isShard && !tempOf) continue;
      if (opts.ownOnly) {
        if (!this.written.has(name)) continue;
        this.written.delete(name);
      } else {
        const age = await stat(path.join(this.dir, name)).then(
          (s) => Date.now() - s.mtimeMs,
          () => 0,
        );
        if (age < STALE_MS) continue;
      }
      await rm(path.join(this.dir, name), { force: true });
    }
  }

  /** Bytes of every file in the index folder. */
  async bytes(): Promise<number> {
    let total = 0;
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      total += await stat(path.join(this.dir, name)).then(
        (s) => s.size,
        () => 0,
      );
    }
    return total;
  }
}

function shardFile(id: number, gen: string): string {
  return `shard-${id}-${gen}.sqlite`;
}

async function readOptional(file: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
