#!/usr/bin/env node
// Builds Cairn with esbuild:
//   dist/cairn.js (+ dist/chunks/)  the agent server and CLI (ESM; code split so `cairn acp`
//                                   answers `initialize` before the heavy modules load)
//   dist/bin/rg                     ripgrep from @vscode/ripgrep, next to the bundle
//   dist/sql-wasm.wasm              SQLite for the history index (sql.js)
//   dist/extension.cjs              the VS Code extension host (CommonJS, `vscode` external)
//   dist/webview.js, webview.css    the chat panel (browser)
//   dist/cairn-agent/               the npm package `cairn-agent` (scripts/agent-package.mjs)
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assembleAgentPackage } from './agent-package.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const watch = process.argv.includes('--watch');

rmSync(join(dist, 'chunks'), { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

/** What config.json's validation depends on: the schema's source files and zod's version. */
function configSchemaHash() {
  const hash = createHash('sha256');
  for (const file of ['shared/config.ts', 'shared/model-presets.ts', 'shared/sandbox-home.ts'])
    hash.update(readFileSync(join(root, file)));
  hash.update(createRequire(import.meta.url)('zod/package.json').version);
  return hash.digest('base64url');
}

const server = {
  entryPoints: { cairn: join(root, 'agent-server/cli/main.ts') },
  outdir: dist,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'none',
  define: {
    __CAIRN_VERSION__: JSON.stringify(pkg.version),
    // Keys the skill frontmatter cache (agent-server/skills/frontmatter-cache.ts).
    __YAML_VERSION__: JSON.stringify(createRequire(import.meta.url)('yaml/package.json').version),
    // Keys the validated-config cache (agent-server/config/config-cache.ts).
    __CONFIG_SCHEMA_HASH__: JSON.stringify(configSchemaHash()),
  },
  // CommonJS dependencies inside an ESM bundle still call require() for Node built-ins and
  // read __dirname / __filename (sql.js does): give every chunk the CommonJS names.
  banner: {
    js:
      "import { createRequire as __cairnRequire } from 'node:module';" +
      "import { fileURLToPath as __cairnPath } from 'node:url';" +
      "import { dirname as __cairnDir } from 'node:path';" +
      'const require = __cairnRequire(import.meta.url);' +
      'const __filename = __cairnPath(import.meta.url);' +
      'const __dirname = __cairnDir(__filename);',
  },
  logLevel: 'warning',
};

const builds = [esbuild.build(server)];

if (existsSync(join(root, 'extension/extension.ts'))) {
  builds.push(
    esbuild.build({
      entryPoints: [join(root, 'extension/extension.ts')],
      outfile: join(dist, 'extension.cjs'),
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      external: ['vscode'],
      minify: true,
      sourcemap: 'linked',
      legalComments: 'none',
      logLevel: 'warning',
    }),
  );
}
if (existsSync(join(root, 'extension/webview/main.ts'))) {
  const entryPoints = { webview: join(root, 'extension/webview/main.ts') };
  if (existsSync(join(root, 'extension/webview/styles.css')))
    entryPoints['webview-styles'] = join(root, 'extension/webview/styles.css');
  builds.push(
    esbuild.build({
      entryPoints,
      outdir: dist,
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      sourcemap: 'linked',
      legalComments: 'none',
      loader: { '.css': 'css' },
      logLevel: 'warning',
    }),
  );
}

await Promise.all(builds);
if (existsSync(join(dist, 'webview-styles.css'))) {
  copyFileSync(join(dist, 'webview-styles.css'), join(dist, 'webview.css'));
  rmSync(join(dist, 'webview-styles.css'));
  rmSync(join(dist, 'webview-styles.css.map'), { force: true });
}

// ripgrep for search_files: the platform binary shipped inside @vscode/ripgrep's npm package.
try {
  const require = createRequire(import.meta.url);
  const exe = process.platform === 'win32' ? 'rg.exe' : 'rg';
  const rg = require.resolve(`@vscode/ripgrep-${process.platform}-${process.arch}/bin/${exe}`);
  mkdirSync(join(dist, 'bin'), { recursive: true });
  copyFileSync(rg, join(dist, 'bin', exe));
  chmodSync(join(dist, 'bin', exe), 0o755);
} catch (err) {
  console.warn(`build: ripgrep not bundled (${err.message}); search_files will use its pure-Node fallback`);
}

// SQLite (sql.js) for the history index: its WebAssembly binary, loaded from next to the bundle.
copyFileSync(join(root, 'node_modules', 'sql.js', 'dist', 'sql-wasm.wasm'), join(dist, 'sql-wasm.wasm'));

chmodSync(join(dist, 'cairn.js'), 0o755);
assembleAgentPackage(root);
if (!watch) console.error(`build: dist/cairn.js ${pkg.version}`);
