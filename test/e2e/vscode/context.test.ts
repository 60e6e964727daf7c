/**
 * Context handed over in VS Code (code-server, Chromium, the real dist/cairn.js, the scripted
 * model): `@problems` with a TypeScript error open in the editor, an `@git-changes` reference and a
 * pasted image reach the model: the diagnostic and the diff as context, the image as an image part
 * (Cairn advertises promptCapabilities.image). Asserted on the requests the model received.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startScriptedModel, type ChatRequestBody } from '../../fixtures/model-server.js';
import {
  ROOT,
  chatFrame,
  launchBrowser,
  missingTools,
  packageExtension,
  startCodeServer,
  e2eEnv,
  workbenchSettings,
  openWorkbench,
} from './code-server.js';

const skip = missingTools();
const ARTIFACTS = join(ROOT, 'test-artifacts');
/** A 1×1 PNG. */
const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

type Part = { type: string; text?: string; image_url?: { url: string } };

function parts(content: unknown): Part[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return Array.isArray(content) ? (content as Part[]) : [];
}

async function eventually(what: string, check: () => boolean | Promise<boolean>, page: Page): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await page.waitForTimeout(100);
  }
  assert.fail(`never happened: ${what}`);
}

test(
  'VS Code: @problems, an @git-changes reference and a pasted image reach the model',
  { skip: skip ?? false, timeout: 900_000 },
  async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const work = mkdtempSync(join(tmpdir(), 'cairn-e2e-context-'));
    const workspace = join(work, 'project');
    const home = join(work, 'cairn-home');
    mkdirSync(workspace);
    mkdirSync(home);
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.email=e2e@cairn', '-c', 'user.name=e2e', ...args], { cwd: workspace });
    git('init', '-q');
    writeFileSync(join(workspace, 'app.txt'), 'version one\n');
    writeFileSync(join(workspace, 'bad.ts'), "const count: number = 'many';\nexport { count };\n");
    git('add', '.');
    git('commit', '-qm', 'first');
    writeFileSync(join(workspace, 'app.txt'), 'version two\n');

    const vsix = packageExtension(work);
    const model = await startScriptedModel(() => ({ text: 'Seen.' }));
    const env = e2eEnv(home);
    const settings = workbenchSettings(model.url);
    const serverLog: string[] = [];
    const cs = await startCodeServer({ vsix, workspace, settings, env, log: (l) => serverLog.push(l) });
    const browser = await launchBrowser();
    try {
      const { page, cairnIcon } = await openWorkbench(browser, cs, workspace, { width: 1280, height: 800 });
      await cairnIcon.click();
      const chat = await chatFrame(page);
      await chat.locator('.activity-idle').waitFor();

      // The TypeScript error shows in the Problems panel once the file is open.
      await page.locator('.part.editor').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('Control+P');
      const quickOpen = page.locator('.quick-input-widget input');
      await quickOpen.waitFor();
      await quickOpen.fill('bad.ts');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'bad.ts' }).first().click();
      await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 180_000 });

      const box = chat.locator('textarea[aria-label="Message Cairn"]');
      await box.click();
      await box.pressSequentially('@probl');
      await chat.locator('#composer-completion .option', { hasText: '@problems' }).first().click();
      await chat.locator('.context-chips .chip', { hasText: '@problems' }).waitFor();
      await box.pressSequentially('@git-ch');
      await chat.locator('#composer-completion .option', { hasText: '@git-changes' }).first().click();
      await chat.locator('.context-chips .chip', { hasText: '@git-changes' }).waitFor();

      // Paste an image the way the clipboard delivers one.
      await box.evaluate((textarea, base64) => {
        const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        const data = new DataTransfer();
        data.items.add(new File([bytes], 'shot.png', { type: 'image/png' }));
        textarea.dispatchEvent(
          new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
        );
      }, PNG);
      await chat.locator('.context-chips .chip', { hasText: 'shot.png' }).waitFor();
      await chat.locator('.composer .chip img.chip-thumb').waitFor();

      await box.fill('describe the context');
      await chat.locator('button[aria-label^="Send"]:not([disabled])').click();
      const userMessage = () =>
        model.requests
          .map((r: ChatRequestBody) => r.messages.findLast((m) => m.role === 'user'))
          .find((m) => parts(m?.content).some((p) => p.text?.includes('describe the context')));
      await eventually('the prompt reached the model', () => !!userMessage(), page);
      const sent = parts(userMessage()?.content);
      const said = sent.map((p) => p.text ?? '').join('\n');
      assert.match(said, /<context source="@problems">/);
      assert.match(said, /bad\.ts:1:7 error[^\n]*Type 'string' is not assignable to type 'number'/);
      assert.match(said, /<context source="@git-changes">/);
      assert.match(said, /Unstaged changes \(git diff\):[^]*-version one\n\+version two/);
      const image = sent.find((p) => p.type === 'image_url');
      assert.equal(image?.image_url?.url, `data:image/png;base64,${PNG}`);
      // The message in the transcript shows the image.
      await chat.locator('.msg-user .chip img.chip-thumb').waitFor();
    } catch (err) {
      writeFileSync(join(ARTIFACTS, 'vscode-context-code-server.log'), serverLog.join('\n'));
      const pages = browser.contexts().flatMap((c) => c.pages());
      if (pages[0])
        await pages[0].screenshot({ path: join(ARTIFACTS, 'vscode-context-failure.png') }).catch(() => {});
      throw err;
    } finally {
      await browser.close();
      await cs.stop();
      await model.close();
    }
  },
);
