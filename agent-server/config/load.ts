import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import { CairnConfigSchema, type CairnConfig } from '../../shared/config.js';
import { describeConfigIssue, describeJsonSyntaxError } from './config-problems.js';
import { cairnHome } from './home.js';
import { errorMessage } from '../../shared/error-message.js';

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
  return { home, file, config: parseConfigText(file, readConfigText(file)) };
}

/** config.json's text; undefined when there is none. A file that cannot be read is a ConfigError. */
export function readConfigText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`Cannot read ${file}: ${errorMessage(err)}`);
  }
}

/** Validates config.json's text (undefined: no file, all defaults). Throws a ConfigError saying what to fix. */
export function parseConfigText(file: string, text: string | undefined): CairnConfig {
  let raw: unknown = {};
  if (text !== undefined) {
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new ConfigError(
        `${file} is not valid JSON: ${describeJsonSyntaxError(text, err as Error)}. ` +
          'Fix it, or move the file away to use the defaults.',
      );
    }
  }
  // reportInput: the messages quote what was found ("got a string ("4")").
  const parsed = CairnConfigSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const problems = parsed.error.issues
      .flatMap((issue) => describeConfigIssue(CairnConfigSchema, issue))
      .map((line) => `  - ${line}`)
      .join('\n');
    throw new ConfigError(`${file} has invalid settings:\n${problems}`);
  }
  return parsed.data;
}
