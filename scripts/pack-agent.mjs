#!/usr/bin/env node
// `npm run pack:agent`: builds, then packs dist/cairn-agent/ into dist/cairn-agent-<version>.tgz
// and prints its packed and unpacked size. `--no-build` packs what the last build left;
// `--out <dir>` writes the tarball there instead of dist/.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const packageDir = join(root, 'dist', 'cairn-agent');
const outFlag = process.argv.indexOf('--out');
const outDir = outFlag > 0 ? resolve(process.argv[outFlag + 1]) : join(root, 'dist');

if (!process.argv.includes('--no-build')) {
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
}
if (!existsSync(join(packageDir, 'package.json'))) {
  console.error('pack-agent: dist/cairn-agent/ is missing; run `node scripts/build.mjs` first.');
  process.exit(1);
}

mkdirSync(outDir, { recursive: true });
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const out = execFileSync(npm, ['pack', '--json', '--pack-destination', outDir], {
  cwd: packageDir,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
});
const [info] = JSON.parse(out);
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
console.error(
  `pack-agent: ${join(outDir, info.filename)} — ${mb(info.size)} packed, ${mb(info.unpackedSize)} unpacked, ` +
    `${info.entryCount} files`,
);
// The tarball's path on stdout, for scripts.
process.stdout.write(`${join(outDir, info.filename)}\n`);
