/**
 * Real VS Code in a real browser for the end-to-end tests: code-server (installed by
 * `scripts/setup-code-server.sh` into `.tools/code-server/`) driven by playwright-core with
 * Debian's Chromium. The extension is installed from a `.vsix` packaged by `vsce`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Frame, type Locator, type Page } from 'playwright-core';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const CODE_SERVER = join(ROOT, '.tools/code-server/node_modules/.bin/code-server');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why the e2e suite cannot run here, or null. Under CI a missing tool is a failure, not a skip. */
export function missingTools(): string | null {
  const missing = [CODE_SERVER, CHROMIUM].filter((p) => !existsSync(p));
  if (!missing.length) return null;
  const reason = `missing ${missing.join(', ')} (run scripts/setup-code-server.sh)`;
  if (process.env.CI) throw new Error(`VS Code e2e: ${reason}`);
  return reason;
}

/** Packages the built extension (dist/ must hold the bundles: `npm run build`). */
export function packageExtension(outDir: string): string {
  for (const f of ['extension.cjs', 'webview.js', 'cairn.js']) {
    if (!existsSync(join(ROOT, 'dist', f)))
      throw new Error(`dist/${f} is missing: run \`npm run build\` first.`);
  }
  const vsix = join(outDir, 'cairn.vsix');
  const r = spawnSync(
    join(ROOT, 'node_modules/.bin/vsce'),
    [
      'package',
      '--no-dependencies',
      '--readme-path',
      'docs/marketplace/README.md',
      '--baseImagesUrl',
      'https://example.invalid/cairn/raw/HEAD/',
      '--out',
      vsix,
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`vsce package failed:\n${r.stdout}\n${r.stderr}`);
  return vsix;
}

async function freePort(): Promise<number> {
  return await new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

export type CodeServerOptions = {
  vsix: string;
  workspace: string;
  settings: Record<string, unknown>;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
};

export type RunningCodeServer = {
  url: string;
  userDataDir: string;
  extensionsDir: string;
  stop(): Promise<void>;
};

export async function startCodeServer(o: CodeServerOptions): Promise<RunningCodeServer> {
  const base = mkdtempSync(join(tmpdir(), 'cairn-cs-'));
  const userDataDir = join(base, 'data');
  const extensionsDir = join(base, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(o.settings, null, 2));
  const install = spawnSync(
    CODE_SERVER,
    ['--install-extension', o.vsix, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir],
    { encoding: 'utf8', env: o.env },
  );
  if (install.status !== 0)
    throw new Error(`installing the extension failed:\n${install.stdout}\n${install.stderr}`);

  const port = await freePort();
  const child: ChildProcess = spawn(
    CODE_SERVER,
    [
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--user-data-dir',
      userDataDir,
      '--extensions-dir',
      extensionsDir,
      o.workspace,
    ],
    { env: o.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  child.stdout!.on('data', (d: Buffer) => o.log(d.toString().trimEnd()));
  child.stderr!.on('data', (d: Buffer) => o.log(d.toString().trimEnd()));
  const url = `http://127.0.0.1:${port}/`;
  // Poll until it answers (startup time is the machine's business, not an assertion).
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}healthz`);
      if (res.ok) break;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    userDataDir,
    extensionsDir,
    stop: async () => {
      if (child.exitCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        child.kill('SIGTERM');
      }
      await gone;
    },
  };
}

/** The server's environment: Cairn's home, a dummy key, and no other provider key from the machine. */
export function e2eEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CAIRN_HOME: home, OPENAI_API_KEY: 'test' };
  for (const k of Object.keys(env)) if (/_API_KEY$/.test(k) && k !== 'OPENAI_API_KEY') delete env[k];
  return env;
}

/** User settings for a quiet workbench with Cairn pointed at the scripted model; `extra` adds or overrides. */
export function workbenchSettings(
  modelUrl: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'security.workspace.trust.enabled': false,
    'extensions.ignoreRecommendations': true,
    'cairn.model.baseUrl': modelUrl,
    'cairn.model.model': 'scripted-model',
    'cairn.notifyWhenUnfocused': false,
    ...extra,
  };
}

/** A new page on the workspace, once the workbench and Cairn's activity bar icon are there. */
export async function openWorkbench(
  browser: Browser,
  cs: RunningCodeServer,
  workspace: string,
  viewport: { width: number; height: number },
): Promise<{ page: Page; cairnIcon: Locator }> {
  const page = await browser.newPage({ viewport });
  await page.goto(`${cs.url}?folder=${encodeURIComponent(workspace)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
  const cairnIcon = page.locator('.activitybar a[aria-label^="Cairn"]');
  await cairnIcon.waitFor({ timeout: 120_000 });
  return { page, cairnIcon };
}

export async function launchBrowser(): Promise<Browser> {
  return await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * The chat webview's document: two frames deep inside the workbench (`iframe.webview.ready`,
 * then its `#active-frame`). Found as a Frame because the inner frame is swapped in after load.
 */
export async function chatFrame(page: Page): Promise<Frame> {
  for (;;) {
    for (const outer of page.frames()) {
      if (!outer.url().includes('purpose=webviewView')) continue;
      for (const inner of outer.childFrames()) {
        if (
          (await inner
            .locator('#app')
            .count()
            .catch(() => 0)) > 0
        )
          return inner;
      }
    }
    await page.waitForTimeout(250);
  }
}

/** Picks an entry in a quick pick opened by the command palette: `>title`, then `pick`. */
export async function runCommand(
  page: Page,
  title: string,
  pick?: string,
  opts: { focusWorkbench: boolean } = { focusWorkbench: true },
): Promise<void> {
  // Keys typed while a webview has focus may not reach the workbench; the editor's tab strip is neutral.
  if (opts.focusWorkbench) await page.locator('.part.editor').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+Shift+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${title}`);
  await row(page, title).click();
  if (pick === undefined) return;
  await row(page, pick).click();
}

/** The quick-pick row whose label starts with `label` (not merely contains it). */
function row(page: Page, label: string) {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return page.locator('.quick-input-list .monaco-list-row', { hasText: new RegExp(`^${escaped}`) }).first();
}
