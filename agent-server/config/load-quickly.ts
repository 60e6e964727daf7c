import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { cachedConfig, saveCachedConfig } from './config-cache.js';
import { cairnHome } from './home.js';
import type { LoadedConfig } from './load.js';

/**
 * `loadConfig` for a start that should not wait for the schema library: an unchanged
 * config.json comes from the validated-config cache (config-cache.ts); anything else is
 * validated as always (and then cached). Errors are loadConfig's own ConfigErrors.
 */
export async function loadConfigQuickly(env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  const home = cairnHome(env);
  const file = path.join(home, 'config.json');
  let text: string | undefined;
  let readable = true;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    // Absent is a state the cache knows; unreadable goes the full way, which says so.
    readable = (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
  const cached = readable ? cachedConfig(home, text) : undefined;
  if (cached) return { home, file, config: cached };
  const { parseConfigText, readConfigText } = await import('./load.js');
  // An unreadable file is read once more the validating way, for the error that says why.
  const current = readable ? text : readConfigText(file);
  const config = parseConfigText(file, current);
  await saveCachedConfig(home, current, config);
  return { home, file, config };
}
