#!/usr/bin/env node
// `npm run release:version X.Y.Z [-- --date YYYY-MM-DD] [-- --root DIR]`: sets the one version
// Cairn ships under, everywhere it is written down:
//   package.json (+ package-lock.json)  the VS Code extension, and the source of the version the
//                                       build stamps into the server (`cairn --version`, ACP
//                                       agentInfo) and writes into the cairn-agent package
//   registry/agent.json                 the ACP registry entry and its `cairn-agent@X.Y.Z`
//   CHANGELOG.md                        "Unreleased" becomes "[X.Y.Z] - date"
// Edits are textual (one field each), so formatting and every other field stay as they are.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

function fail(message) {
  console.error(`release:version: ${message}`);
  process.exit(1);
}

function option(name) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

/** Replaces the value of the first `"key": "..."` at the given indentation. */
function setJsonString(text, indent, key, value, file) {
  const pattern = new RegExp(`^(${indent}"${key}":\\s*")[^"]*(")`, 'm');
  if (!pattern.test(text)) fail(`no "${key}" at the top of ${file}`);
  return text.replace(pattern, `$1${value}$2`);
}

function writeAtomically(file, text) {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

const version = process.argv[2];
if (!version || !SEMVER.test(version))
  fail(`usage: npm run release:version X.Y.Z (got ${version ?? 'nothing'})`);
const root = resolve(option('--root') ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
const date = option('--date') ?? new Date().toISOString().slice(0, 10);
if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) fail(`--date must be YYYY-MM-DD (got ${date})`);

const changelogFile = join(root, 'CHANGELOG.md');
const changelog = readFileSync(changelogFile, 'utf8');
if (changelog.includes(`## [${version}]`)) fail(`CHANGELOG.md already has a section for ${version}`);
if (!/^## \[Unreleased\][ \t]*$/m.test(changelog)) fail('CHANGELOG.md has no "## [Unreleased]" section');
const released = changelog.replace(
  /^## \[Unreleased\][ \t]*$/m,
  `## [Unreleased]\n\n## [${version}] - ${date}`,
);

const manifestFile = join(root, 'package.json');
const manifest = setJsonString(
  readFileSync(manifestFile, 'utf8'),
  ' {2}',
  'version',
  version,
  'package.json',
);

const registryFile = join(root, 'registry', 'agent.json');
let registry = setJsonString(readFileSync(registryFile, 'utf8'), ' {2}', 'version', version, 'agent.json');
registry = registry.replace(/("package":\s*"cairn-agent@)[^"]*(")/, `$1${version}$2`);
if (!registry.includes(`"cairn-agent@${version}"`))
  fail('registry/agent.json has no npx package cairn-agent@…');

// package-lock.json keeps the root package's version twice: at the top and under packages[""].
const lockFile = join(root, 'package-lock.json');
let lock;
if (existsSync(lockFile)) {
  const parsed = JSON.parse(readFileSync(lockFile, 'utf8'));
  parsed.version = version;
  if (parsed.packages?.['']) parsed.packages[''].version = version;
  lock = JSON.stringify(parsed, null, 2) + '\n';
}

// Everything was checked before anything is written.
writeAtomically(manifestFile, manifest);
writeAtomically(registryFile, registry);
writeAtomically(changelogFile, released);
if (lock) writeAtomically(lockFile, lock);
console.error(`release:version: ${version} in package.json, registry/agent.json and CHANGELOG.md (${date})`);
