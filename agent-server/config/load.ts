import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import { CairnConfigSchema, type CairnConfig } from '../../shared/config.js';
import { cairnHome } from './home.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface LoadedConfig {
  home: string;
  file: string;
  config: CairnConfig;
}

/**
 * Reads `<home>/config.json` (absent: defaults). A malformed file is a clear error naming
 * the file and the field, never a silent fallback.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const home = cairnHome(env);
  const file = path.join(home, 'config.json');
  let raw: unknown = {};
  try {
    const text = readFileSync(file, 'utf8');
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new ConfigError(`${file} is not valid JSON: ${(err as Error).message}`);
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ConfigError(`Cannot read ${file}: ${(err as Error).message}`);
    }
  }
  const parsed = CairnConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `  - ${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`)
      .join('\n');
    throw new ConfigError(`${file} has invalid settings:\n${problems}`);
  }
  return { home, file, config: parsed.data };
}
