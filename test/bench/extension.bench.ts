/**
 * The VS Code extension's cost to the editor: activation time (loading `dist/extension.cjs` and
 * running `activate`, in a fresh Node process each time, with the `vscode` API stubbed so only
 * our own work is timed), the packaged `.vsix` size, and panel-ready time: from the chat view
 * opening (the host module loaded, the real `dist/cairn.js acp` spawned) to the server answering
 * `initialize` and to the first session existing. Targets: ≤ 50 ms, ≤ 3 MB, ≤ 1.5 s idle.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
  'Range', 'StatusBarAlignment', 'ThemeColor', 'TabInputTextDiff', 'WorkspaceEdit', 'languages', 'CodeLens'])
  api[name] = stub();
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

  const ready = await panelReady(5);
  report('panel ready (view opened → server → session)', {
    median_ms: median(ready.session),
    host_module_ms: ready.hostModule,
    server_started_ms: median(ready.server),
    session_new_ms: median(ready.sessionNew),
    target_ms: 1500,
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

/**
 * Times what the chat view does when it opens (`ChatViewProvider` → `ChatHost.warmUp`) against
 * the real bundled server in a fresh home: `server` is view-open → `initialize` answered,
 * `session` is view-open → first session ready; `sessionNew` is the `session/new` share of it.
 */
async function panelReady(rounds: number) {
  const moduleStart = performance.now();
  const [{ ChatHost }, { startAgentProcess }, { serverLaunch }] = await Promise.all([
    import('../../extension/chat-host.js'),
    import('../../extension/agent-process.js'),
    import('../../extension/server-launch.js'),
  ]);
  const hostModule = performance.now() - moduleStart;
  const server: number[] = [];
  const session: number[] = [];
  const sessionNew: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const work = mkdtempSync(join(tmpdir(), 'cairn-ready-'));
    const workspace = join(work, 'project');
    const home = join(work, 'home');
    mkdirSync(workspace);
    mkdirSync(home);
    writeFileSync(join(workspace, 'README.md'), '# project\n');
    const env: NodeJS.ProcessEnv = { ...process.env, CAIRN_HOME: home, OPENAI_API_KEY: 'bench' };
    const host = new ChatHost({
      workspaceRoot: () => workspace,
      workspaceFolders: () => [workspace],
      openDocumentText: () => undefined,
      launchAgent: async () =>
        startAgentProcess(
          serverLaunch({
            execPath: process.execPath,
            extensionPath: ROOT,
            cwd: workspace,
            baseEnv: env,
            settings: { modelPreset: '', baseUrl: 'http://127.0.0.1:9/v1', model: 'bench' },
            apiKey: 'bench',
          }),
          { stderr: () => {} },
        ),
      hasApiKey: async () => true,
      checkpoints: { showChanges: async () => {}, showDiff: async () => {} },
      autoApprove: () => ({ reads: false, edits: false }),
      readText: async () => '',
      reviews: {
        snapshot: async () => ({ text: '', exists: false, dirty: false }),
        relativePath: (p) => p,
        show: async () => {},
        refresh: () => {},
        apply: async () => {},
        close: () => {},
      },
      mentionFiles: async () => [],
      mentionFolders: async () => [],
      resolveReference: async () => {
        throw new Error('no references in the bench');
      },
      openLocation: async () => {},
      runCommand: async () => {},
      terminalStarted: () => {},
      attentionNeeded: () => {},
      log: () => {},
    });
    const start = performance.now();
    let started = 0;
    const ready = new Promise<number>((resolve) => {
      host.onStateChange((state) => {
        if (!started && state.activity !== 'starting') started = performance.now();
        if (state.sessionId) resolve(performance.now());
      });
    });
    host.warmUp();
    const done = await ready;
    server.push(started - start);
    session.push(done - start);
    sessionNew.push(done - started);
    await host.stop();
    rmSync(work, { recursive: true, force: true });
  }
  return { hostModule, server, session, sessionNew };
}
