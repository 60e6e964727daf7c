/**
 * The VS Code extension's cost to the editor: activation time (loading `dist/extension.cjs` and
 * running `activate`, in a fresh Node process each time, with the `vscode` API stubbed so only
 * our own work is timed) and the packaged `.vsix` size. Targets: ≤ 50 ms, ≤ 3 MB.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { median } from './stats.js';
import { packageExtension } from '../e2e/vscode/code-server.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BUNDLE = join(ROOT, 'dist/extension.cjs');

// Runs in the child: a \`vscode\` module whose members are callable, constructible no-ops.
const PROBE = `
const Module = require('node:module');
const stub = () => new Proxy(function () {}, {
  get: (t, k) => (k === 'then' ? undefined : k === Symbol.toPrimitive ? () => '' : stub()),
  apply: () => stub(),
  construct: () => stub(),
  set: () => true,
});
const api = {};
for (const name of ['window', 'workspace', 'commands', 'env', 'Uri', 'EventEmitter', 'Disposable', 'Position',
  'Range', 'StatusBarAlignment', 'ThemeColor', 'TabInputTextDiff', 'WorkspaceEdit']) api[name] = stub();
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === 'vscode' ? api : load.call(this, request, ...rest);
};
const start = process.hrtime.bigint();
const ext = require(process.argv[1]);
const loaded = process.hrtime.bigint();
ext.activate({ subscriptions: [], extensionPath: '/x', extensionUri: stub(), secrets: stub() });
const done = process.hrtime.bigint();
process.stdout.write(JSON.stringify({ load: Number(loaded - start) / 1e6, activate: Number(done - loaded) / 1e6 }));
`;

export async function bench(report: (name: string, figures: Record<string, number | string>) => void) {
  if (!existsSync(BUNDLE)) throw new Error('dist/extension.cjs is missing: run `npm run build`.');
  const loads: number[] = [];
  const activations: number[] = [];
  for (let i = 0; i < 15; i++) {
    const r = spawnSync(process.execPath, ['-e', PROBE, BUNDLE], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`activation probe failed: ${r.stderr}`);
    const t = JSON.parse(r.stdout) as { load: number; activate: number };
    loads.push(t.load);
    activations.push(t.activate);
  }
  const total = loads.map((l, i) => l + activations[i]!);
  report('extension activation (vscode API stubbed)', {
    median_ms: median(total),
    load_ms: median(loads),
    activate_ms: median(activations),
    target_ms: 50,
    bundle_kb: Math.round(statSync(BUNDLE).size / 1024),
  });

  const out = mkdtempSync(join(tmpdir(), 'cairn-vsix-'));
  try {
    const vsix = packageExtension(out);
    report('extension package (.vsix)', {
      size_mb: statSync(vsix).size / 1024 / 1024,
      target_mb: 3,
    });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
