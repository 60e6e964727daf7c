import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

declare const __CAIRN_VERSION__: string | undefined;

/** Cairn's version: stamped into the bundle at build time, read from package.json from source. */
export const CAIRN_VERSION: string =
  typeof __CAIRN_VERSION__ === 'string'
    ? __CAIRN_VERSION__
    : (
        JSON.parse(
          readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'package.json'), 'utf8'),
        ) as { version: string }
      ).version;
