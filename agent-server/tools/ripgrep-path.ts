import * as path from 'node:path';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

let cached: string | null | undefined;

/**
 * ripgrep: `CAIRN_RIPGREP_PATH` (the editor's own, set by the VS Code extension), else the
 * @vscode/ripgrep platform package copied next to the bundle at build (`dist/bin/rg`), or
 * resolved from node_modules when running from source. `null` when
 * neither exists; search then falls back to a pure-Node walk.
 */
export function ripgrepPath(): string | null {
  if (cached !== undefined) return cached;
  const exe = process.platform === 'win32' ? 'rg.exe' : 'rg';
  // The VS Code extension passes VS Code's own ripgrep instead of shipping one.
  const given = process.env.CAIRN_RIPGREP_PATH;
  if (given && existsSync(given)) return (cached = given);
  const here = path.dirname(fileURLToPath(import.meta.url));
  const besideBundle = path.join(here, 'bin', exe);
  if (existsSync(besideBundle)) return (cached = besideBundle);
  try {
    const require = createRequire(import.meta.url);
    cached = require.resolve(`@vscode/ripgrep-${process.platform}-${process.arch}/bin/${exe}`);
  } catch {
    cached = null;
  }
  return cached;
}
