/**
 * The Memory & Skills view in VS Code (code-server, Chromium, the real dist/cairn.js, the
 * scripted model): a chat saves a project memory entry (approved on its card); the view lists it
 * with its provenance (the session and the prompt that wrote it); Forget removes it after the
 * confirmation, and Undo brings it back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startScriptedModel, type ChatRequestBody, type ScriptStep } from '../../fixtures/model-server.js';
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
const ENTRY = 'The tests run with vitest.';

function script(body: ChatRequestBody): ScriptStep {
  if (body.messages.at(-1)?.role === 'tool') return { text: 'Noted.' };
  return { toolCalls: [{ name: 'memory', arguments: { action: 'add', target: 'memory', content: ENTRY } }] };
}

/** The Memory & Skills tree's row whose text matches. */
const treeRow = (page: Page, text: string | RegExp) =>
  page.locator('.pane', { hasText: 'Memory & Skills' }).locator('.monaco-list-row', { hasText: text });

test(
  'VS Code: Memory & Skills lists an entry with its provenance; Forget removes it and Undo brings it back',
  { skip: skip ?? false, timeout: 900_000 },
  async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const work = mkdtempSync(join(tmpdir(), 'cairn-e2e-learning-'));
    const workspace = join(work, 'project');
    const home = join(work, 'cairn-home');
    mkdirSync(workspace);
    mkdirSync(home);
    writeFileSync(join(workspace, 'README.md'), '# project\n');

    const vsix = packageExtension(work);
    const model = await startScriptedModel(script);
    const env = e2eEnv(home);
    const settings = workbenchSettings(model.url);
    const serverLog: string[] = [];
    const cs = await startCodeServer({ vsix, workspace, settings, env, log: (l) => serverLog.push(l) });
    const browser = await launchBrowser();
    try {
      const { page, cairnIcon } = await openWorkbench(browser, cs, workspace, { width: 1280, height: 900 });
      await cairnIcon.click();
      const chat = await chatFrame(page);
      await chat.locator('.activity-idle').waitFor();

      // A session writes the entry: the memory tool asks, the user allows it.
      const box = chat.locator('textarea[aria-label="Message Cairn"]');
      await box.fill('remember that tests use vitest');
      await chat.locator('button[aria-label^="Send"]:not([disabled])').click();
      await chat.locator('.permission-card').waitFor({ timeout: 120_000 });
      await chat.locator('.permission-card .pending-actions button', { hasText: /^Allow$/ }).click();
      await chat.locator('.msg-agent', { hasText: 'Noted.' }).waitFor({ timeout: 120_000 });

      // The view lists it under Project notes, with the session and prompt that wrote it.
      const pane = page.locator('.pane', { hasText: 'Memory & Skills' });
      await pane.locator('.pane-header').hover();
      await pane.locator('.action-label[aria-label="Refresh Memory & Skills"]').click();
      await treeRow(page, /^Project notes/).click();
      const entry = treeRow(page, ENTRY);
      await entry.waitFor({ timeout: 60_000 });
      const shown = (await entry.textContent()) ?? '';
      assert.match(shown, /session [0-9a-f]{8}, \d{4}-\d{2}-\d{2}: “remember that tests use vitest”/);
      await page.screenshot({ path: join(ARTIFACTS, 'vscode-learning.png') });

      // Forget: asked first, then gone from the view.
      await entry.hover();
      await entry.locator('.action-label[aria-label="Forget Entry"]').click();
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor();
      assert.match((await dialog.textContent()) ?? '', /Forget this memory entry\?[^]*vitest/);
      await dialog.locator('.monaco-button', { hasText: /^Forget$/ }).click();
      const toast = page.locator('.notification-toast', { hasText: 'Cairn forgot the entry.' });
      await toast.waitFor({ timeout: 60_000 });
      await entry.waitFor({ state: 'detached', timeout: 60_000 });
      assert.match((await treeRow(page, /^Project notes/).textContent()) ?? '', /Project notes\s*0/);

      // Undo brings it back, provenance and all.
      await toast.locator('.monaco-button', { hasText: 'Undo' }).click();
      await treeRow(page, ENTRY).waitFor({ timeout: 60_000 });
      assert.match((await treeRow(page, ENTRY).textContent()) ?? '', /remember that tests use vitest/);
    } catch (err) {
      writeFileSync(join(ARTIFACTS, 'vscode-learning-code-server.log'), serverLog.join('\n'));
      const pages = browser.contexts().flatMap((c) => c.pages());
      if (pages[0])
        await pages[0].screenshot({ path: join(ARTIFACTS, 'vscode-learning-failure.png') }).catch(() => {});
      throw err;
    } finally {
      await browser.close();
      await cs.stop();
      await model.close();
    }
  },
);
