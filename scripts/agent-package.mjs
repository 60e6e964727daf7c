// Assembles the npm package `cairn-agent` (the ACP server and CLI) in dist/cairn-agent/ from
// what the build already wrote to dist/: the same bundle, laid out as in the repository
// (dist/cairn.js, dist/chunks/, dist/sql-wasm.wasm, skills/) so the server finds its assets
// the same way from both. Everything is bundled: the only dependencies are ripgrep's
// platform packages, optional (the registry tarballs carry the binary; no install script),
// and search_files falls back to a pure-Node walk without them.
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const AGENT_PACKAGE_NAME = 'cairn-agent';

/** The agent package's manifest, derived from the root one (one version for everything). */
export function agentManifest(rootPkg, ripgrepPlatforms) {
  return {
    name: AGENT_PACKAGE_NAME,
    version: rootPkg.version,
    description:
      'Cairn, a persistent coding agent (memory, searchable history, skills, sandboxed terminal) ' +
      'for editors that speak the Agent Client Protocol: `npx -y cairn-agent acp`.',
    keywords: ['acp', 'agent-client-protocol', 'coding-agent', 'ai', 'zed', 'cli'],
    license: rootPkg.license,
    repository: rootPkg.repository,
    type: 'module',
    bin: { cairn: 'dist/cairn.js' },
    engines: { node: rootPkg.engines?.node ?? '>=20' },
    files: ['dist/', 'skills/', 'README.md', 'LICENSE'],
    optionalDependencies: ripgrepPlatforms,
  };
}

/** `@vscode/ripgrep-<platform>` packages at the version the repository builds with. */
function ripgrepPlatformPackages(root) {
  const manifest = join(root, 'node_modules', '@vscode', 'ripgrep', 'package.json');
  if (!existsSync(manifest)) return {};
  const deps = JSON.parse(readFileSync(manifest, 'utf8')).optionalDependencies ?? {};
  return Object.fromEntries(Object.entries(deps).filter(([name]) => name.startsWith('@vscode/ripgrep-')));
}

/** Writes dist/cairn-agent/ (replacing any previous one) and returns its path. */
export function assembleAgentPackage(root) {
  const dist = join(root, 'dist');
  const out = join(dist, AGENT_PACKAGE_NAME);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'dist', 'chunks'), { recursive: true });

  const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  writeFileSync(
    join(out, 'package.json'),
    JSON.stringify(agentManifest(rootPkg, ripgrepPlatformPackages(root)), null, 2) + '\n',
  );
  // Source maps stay out: they would triple the package for stack traces few users read.
  cpSync(join(dist, 'cairn.js'), join(out, 'dist', 'cairn.js'));
  cpSync(join(dist, 'sql-wasm.wasm'), join(out, 'dist', 'sql-wasm.wasm'));
  for (const name of readdirSync(join(dist, 'chunks'))) {
    if (!name.endsWith('.map')) cpSync(join(dist, 'chunks', name), join(out, 'dist', 'chunks', name));
  }
  cpSync(join(root, 'skills'), join(out, 'skills'), { recursive: true });
  cpSync(join(root, 'docs', 'npm', 'README.md'), join(out, 'README.md'));
  cpSync(join(root, 'LICENSE'), join(out, 'LICENSE'));
  return out;
}
