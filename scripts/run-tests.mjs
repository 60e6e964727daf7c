#!/usr/bin/env node
// Runs the test suite with node's built-in runner (TypeScript through tsx).
// Usage: node scripts/run-tests.mjs [path-or-substring ...]
//   no arguments: every *.test.ts under test/
//   a folder or file: the tests under it; any other word: test files whose path contains it
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = resolve(new URL('..', import.meta.url).pathname);

function collect(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'fixtures') continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) collect(full, out);
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

const args = process.argv.slice(2);
const all = collect(join(root, 'test')).sort();
let files = all;
if (args.length) {
  files = [];
  for (const a of args) {
    const p = resolve(a);
    if (existsSync(p)) files.push(...(statSync(p).isDirectory() ? collect(p) : [p]));
    else files.push(...all.filter((f) => relative(root, f).includes(a)));
  }
}
if (!files.length) {
  console.error(`No test files match ${args.join(' ')}`);
  process.exit(1);
}
// A test file whose process never exits (a handle left open) would hold the runner forever; CI
// has a hard limit, so give up with a clear message well before it (CAIRN_TEST_TIMEOUT_MIN).
const limitMin = Number(process.env.CAIRN_TEST_TIMEOUT_MIN ?? 60);
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  cwd: root,
  timeout: limitMin * 60_000,
  killSignal: 'SIGKILL',
});
if (result.error?.code === 'ETIMEDOUT' || result.signal === 'SIGKILL') {
  console.error(
    `run-tests: the suite did not finish within ${limitMin} minutes (a test file kept running); stopped.`,
  );
  process.exit(1);
}
process.exit(result.status ?? 1);
