import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The folder holding Cairn's own `package.json` (name `cairn`, or `cairn-agent` in the npm
 * package). Found by walking up from this module, so it works from source
 * (`agent-server/config/` under tsx) and from the bundle (`dist/cairn.js`) alike. Bundled
 * assets (`skills/`, `dist/sql-wasm.wasm`) are located relative to it.
 */
export function packageRoot(): string {
  if (cached) return cached;
  const start = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    try {
      const parsed = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: unknown };
      if (parsed.name === 'cairn' || parsed.name === 'cairn-agent') return (cached = dir);
    } catch {
      // No manifest here (or unreadable): keep walking up.
    }
    if (path.dirname(dir) === dir) {
      throw new Error(
        `Cairn's package.json was not found above ${start}; the installation looks incomplete.`,
      );
    }
  }
}

/** Where the bundled skills live at run time. */
export function bundledSkillsDir(): string {
  return path.join(packageRoot(), 'skills');
}
