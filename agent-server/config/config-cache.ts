import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { CairnConfig } from '../../shared/config.js';
import { CAIRN_VERSION } from '../version.js';

declare const __CONFIG_SCHEMA_HASH__: string | undefined;

/**
 * config.json as the schema last validated it (defaults filled in), kept in Cairn's home, so
 * `cairn acp` starts without loading the schema library (zod) when the file has not changed.
 * Keyed by the file's exact bytes (or its absence), Cairn's version and a hash of the schema's
 * source stamped in at build time, so an entry can only ever be what validation would give
 * again. Running from source (no stamp) there is no cache: the schema can change under it.
 */
const SCHEMA: string | undefined =
  typeof __CONFIG_SCHEMA_HASH__ === 'string' ? __CONFIG_SCHEMA_HASH__ : undefined;
const FORMAT = 1;

function cacheFile(home: string): string {
  return path.join(home, 'cache', 'config.json');
}

function keyOf(text: string | undefined): string | undefined {
  if (!SCHEMA) return undefined;
  return createHash('sha256')
    .update(`${FORMAT}\0${CAIRN_VERSION}\0${SCHEMA}\0`)
    .update(text === undefined ? '\u0000absent' : `\u0001${text}`)
    .digest('base64url');
}

/** The validated config for exactly this config.json text (undefined: absent), if known. */
export function cachedConfig(home: string, text: string | undefined): CairnConfig | undefined {
  const key = keyOf(text);
  if (!key) return undefined;
  try {
    const data = JSON.parse(readFileSync(cacheFile(home), 'utf8')) as { key?: unknown; config?: unknown };
    if (data.key === key && data.config && typeof data.config === 'object') return data.config as CairnConfig;
  } catch {
    // Missing or unreadable: validate, it is only a cache.
  }
  return undefined;
}

/** Keeps `config`, validated from `text` (atomically; a failure only costs a validation next time). */
export async function saveCachedConfig(
  home: string,
  text: string | undefined,
  config: CairnConfig,
): Promise<void> {
  const key = keyOf(text);
  if (!key) return;
  const file = cacheFile(home);
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    await writeFileAtomic(file, JSON.stringify({ key, config }), 0o600);
  } catch {
    // Only a cache.
  }
}
