/**
 * `npm run bench`: runs every test/bench/*.bench.ts and prints its figures. Each module
 * exports `bench(report)`. Figures are medians and ratios against baselines measured in the
 * same run (these machines are shared and noisy): read them as trends, not pass/fail.
 * `npm run bench -- agent history` runs only the modules whose names contain those words.
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

type Figures = Record<string, number | string>;
type Bench = (report: (name: string, figures: Figures) => void) => Promise<void>;

const here = path.dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => !filters.length || filters.some((w) => f.includes(w)))
  .sort();

const format = (v: number | string) =>
  typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : v;

let failed = 0;
for (const file of files) {
  const mod = (await import(pathToFileURL(path.join(here, file)).href)) as { bench?: Bench };
  if (typeof mod.bench !== 'function') continue;
  console.log(`\n## ${file.replace('.bench.ts', '')}`);
  try {
    await mod.bench((name, figures) => {
      const parts = Object.entries(figures).map(([k, v]) => `${k}=${format(v)}`);
      console.log(`  ${name.padEnd(44)} ${parts.join('  ')}`);
    });
  } catch (err) {
    failed++;
    console.log(`  FAILED: ${err instanceof Error ? err.stack : String(err)}`);
  }
}
process.exitCode = failed ? 1 : 0;
