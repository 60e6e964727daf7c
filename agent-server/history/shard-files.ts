import * as path from 'node:path';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import type { SqlJsStatic } from 'sql.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { IndexShard } from './index-shard.js';

const CATALOG = 'catalog.sqlite';
/** An opened shard stays this long for the next query (a model often searches a few times in a row). */
const KEEP_OPEN_MS = 5_000;
/** Files no catalog names are removed once this old (another process sharing the home may still use newer ones). */
const STALE_MS = 60 * 60_000;

/**
 * The index's files under `<history>/index/`: `catalog.sqlite` and `shard-<id>-<gen>.sqlite`.
 * Each write goes to a new generation (temp file + rename), and the catalog names the
 * generations it goes with, so a crash between writes leaves the previous, consistent set.
 */
export class ShardFiles {
  private cached: { id: number; gen: string; shard: IndexShard; timer: NodeJS.Timeout } | undefined;
  private readonly written = new Set<string>();

  constructor(readonly dir: string) {}

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

  /** A sealed shard, opened from its file or kept from the previous query; undefined when missing. */
  async openShard(sql: SqlJsStatic, id: number, gen: string): Promise<IndexShard | undefined> {
    if (this.cached?.id === id && this.cached.gen === gen) {
      this.cached.timer.refresh();
      return this.cached.shard;
    }
    const bytes = await this.readShard(id, gen);
    if (!bytes) {
      process.stderr.write(
        `cairn: history index shard ${shardFile(id, gen)} is missing; delete ${this.dir} to rebuild the index\n`,
      );
      return undefined;
    }
    // One shard open at a time: sql.js keeps a database wholly in memory.
    this.closeCached();
    const shard = IndexShard.open(sql, bytes);
    const timer = setTimeout(() => this.closeCached(), KEEP_OPEN_MS);
    timer.unref();
    this.cached = { id, gen, shard, timer };
    return shard;
  }

  closeCached(): void {
    if (!this.cached) return;
    clearTimeout(this.cached.timer);
    this.cached.shard.close();
    this.cached = undefined;
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
