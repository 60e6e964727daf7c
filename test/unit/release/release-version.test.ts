import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { repoRoot } from '../../helpers/acp-harness.js';
import { tempDir } from '../../helpers/env.js';
import { CAIRN_VERSION } from '../../../agent-server/version.js';
import { initializeResponse } from '../../../agent-server/acp/capabilities.js';

// One version for the npm package, the VSIX and the registry entry: package.json is its
// source (the build stamps it into the server and the cairn-agent manifest), and
// `npm run release:version` writes it everywhere else.

const script = path.join(repoRoot, 'scripts', 'release-version.mjs');
const FILES = ['package.json', 'package-lock.json', 'registry/agent.json', 'CHANGELOG.md'];

interface Versions {
  manifest: string;
  lock: string;
  lockRoot: string;
  registry: string;
  npxPackage: string;
  changelogHeadings: string[];
}

async function versionsIn(root: string): Promise<Versions> {
  const json = async (rel: string) => JSON.parse(await fs.readFile(path.join(root, rel), 'utf8')) as never;
  const manifest = await json('package.json');
  const lock: { version: string; packages: Record<string, { version: string }> } =
    await json('package-lock.json');
  const registry: { version: string; distribution: { npx: { package: string } } } =
    await json('registry/agent.json');
  const changelog = await fs.readFile(path.join(root, 'CHANGELOG.md'), 'utf8');
  return {
    manifest: (manifest as { version: string }).version,
    lock: lock.version,
    lockRoot: lock.packages['']!.version,
    registry: registry.version,
    npxPackage: registry.distribution.npx.package,
    changelogHeadings: [...changelog.matchAll(/^## \[([^\]]+)\]/gm)].map((m) => m[1]!),
  };
}

function assertAgree(v: Versions, version: string): void {
  assert.equal(v.manifest, version);
  assert.equal(v.lock, version);
  assert.equal(v.lockRoot, version);
  assert.equal(v.registry, version);
  assert.equal(v.npxPackage, `cairn-agent@${version}`);
  assert.equal(v.changelogHeadings[0], 'Unreleased');
  assert.equal(v.changelogHeadings[1], version, 'the newest release section is this version');
}

async function copyOfRelease(): Promise<string> {
  const root = await tempDir('release');
  for (const rel of FILES) {
    await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await fs.copyFile(path.join(repoRoot, rel), path.join(root, rel));
  }
  return root;
}

const release = (root: string, ...args: string[]) =>
  spawnSync(process.execPath, [script, ...args, '--root', root], { encoding: 'utf8' });

test('the package, the lock file, the registry entry, the changelog and the server agree on the version', async () => {
  const v = await versionsIn(repoRoot);
  assertAgree(v, v.manifest);
  assert.equal(CAIRN_VERSION, v.manifest, '`cairn --version` prints CAIRN_VERSION');
  const init = initializeResponse(
    { protocolVersion: 1 },
    { terminalBackend: 'local', mcp: { http: true, sse: true }, history: true },
  );
  assert.equal(init.agentInfo?.version, v.manifest, 'ACP agentInfo.version');
});

test('release:version sets one version everywhere and opens a changelog section for it', async () => {
  const root = await copyOfRelease();
  try {
    const before = await fs.readFile(path.join(root, 'CHANGELOG.md'), 'utf8');
    const r = release(root, '3.4.5', '--date', '2027-01-02');
    assert.equal(r.status, 0, r.stderr);
    assertAgree(await versionsIn(root), '3.4.5');
    const after = await fs.readFile(path.join(root, 'CHANGELOG.md'), 'utf8');
    assert.match(after, /^## \[Unreleased\]\n\n## \[3\.4\.5\] - 2027-01-02$/m);
    assert.equal(after.replace('## [3.4.5] - 2027-01-02\n\n', ''), before);
    // Only the version moved: every other field of the manifest is as it was.
    const manifest = JSON.parse(await fs.readFile(path.join(root, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const original = JSON.parse(await fs.readFile(path.join(repoRoot, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    assert.deepEqual({ ...manifest, version: original.version }, original);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
});

test('release:version refuses a malformed or already released version and changes nothing', async () => {
  const root = await copyOfRelease();
  try {
    const snapshot = async () => Promise.all(FILES.map((f) => fs.readFile(path.join(root, f), 'utf8')));
    const before = await snapshot();
    const current = (await versionsIn(root)).changelogHeadings[1]!;
    for (const bad of ['1.2', 'v1.2.3', current]) {
      const r = release(root, bad);
      assert.notEqual(r.status, 0, `${bad} is refused`);
      assert.match(r.stderr, /release:version: /);
    }
    assert.deepEqual(await snapshot(), before);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
});
