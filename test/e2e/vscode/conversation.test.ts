/**
 * Conversation control in real VS Code (code-server + Chromium) against the real `dist/cairn.js`
 * and the scripted model: a message typed while a turn runs is queued (listed above the
 * composer) and answered after it; then the edit that turn made is taken back from the panel
 * with "Restore checkpoint…" — the preview (changes list and VS Code's multi-file diff) first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
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

function text(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (p as { text?: string }).text ?? '').join('');
  return '';
}

function script(req: ChatRequestBody): ScriptStep {
  const last = req.messages.at(-1)!;
  if (last.role === 'tool') return { text: 'The greeting is updated.' };
  const said = text(last.content);
  if (said.includes('edit greeting'))
    return {
      toolCalls: [{ name: 'write_file', arguments: { path: 'greeting.txt', content: 'hello, world\n' } }],
    };
  if (said.includes('say hello')) return { text: 'Hello from the scripted model!' };
  return { text: 'OK.' };
}

/** Waits for a condition the UI or the disk reaches eventually (no timing assertions). */
async function eventually(what: string, check: () => boolean | Promise<boolean>, page: Page): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await page.waitForTimeout(100);
  }
  assert.fail(`never happened: ${what}`);
}

async function idle(chat: Frame): Promise<void> {
  await chat.locator('.activity-idle').waitFor();
}

test(
  'VS Code: a message typed during a turn is queued and answered after it; a checkpoint is restored from the panel with a preview',
  { skip: skip ?? false, timeout: 900_000 },
  async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const work = mkdtempSync(join(tmpdir(), 'cairn-e2e-conversation-'));
    const workspace = join(work, 'project');
    const home = join(work, 'cairn-home');
    mkdirSync(workspace);
    mkdirSync(home);
    const greeting = join(workspace, 'greeting.txt');
    writeFileSync(greeting, 'hello\n');

    const vsix = packageExtension(work);
    const model = await startScriptedModel(script);
    const env = e2eEnv(home);
    const settings = workbenchSettings(model.url, {
      'workbench.colorTheme': 'Default Dark Modern',
    });
    const serverLog: string[] = [];
    const cs = await startCodeServer({ vsix, workspace, settings, env, log: (l) => serverLog.push(l) });
    const browser = await launchBrowser();
    try {
      const { page, cairnIcon } = await openWorkbench(browser, cs, workspace, { width: 1280, height: 800 });
      await cairnIcon.click();
      const chat = await chatFrame(page);
      await idle(chat);
      const box = chat.locator('textarea[aria-label="Message Cairn"]');

      // 1. The edit turn stops at its review: the turn is running while the user types on.
      await box.fill('edit greeting');
      await chat.locator('button[aria-label^="Send"]:not([disabled])').click();
      const review = chat.locator('.review-card');
      await review.waitFor();
      await box.fill('say hello');
      const queueButton = chat.locator('button[aria-label^="Queue message"]:not([disabled])');
      await queueButton.click();
      const queued = chat.locator('.queue .queue-text', { hasText: 'say hello' });
      await queued.waitFor();
      assert.equal(await box.inputValue(), '', 'the composer is free again');
      assert.equal(
        await chat.locator('.msg-user', { hasText: 'say hello' }).count(),
        0,
        'queued, not yet in the conversation',
      );
      await page.screenshot({ path: join(ARTIFACTS, 'vscode-queue.png') });

      // 2. The turn goes on; the queued message runs after it: both are answered, in order.
      await review.locator('button', { hasText: 'Accept' }).click();
      await chat.locator('text=The greeting is updated.').waitFor();
      await chat.locator('text=Hello from the scripted model!').waitFor();
      await idle(chat);
      assert.equal(await chat.locator('.queue').isHidden(), true, 'the queue emptied');
      assert.equal(readFileSync(greeting, 'utf8'), 'hello, world\n');
      const users = model.requests
        .map((r) => r.messages.at(-1)!)
        .filter((m) => m.role === 'user')
        .map((m) => text(m.content));
      assert.ok(users.indexOf('say hello') > users.findIndex((u) => u.includes('edit greeting')));
      const helloRequest = model.requests.find((r) => text(r.messages.at(-1)?.content) === 'say hello')!;
      assert.ok(
        helloRequest.messages.some((m) => m.role === 'tool'),
        'the queued message ran after the first turn, which it sees',
      );

      // 3. Restore checkpoint… on the edit's message: preview first, then the files come back.
      const editMessage = chat.locator('.msg-user', { hasText: 'edit greeting' });
      const restoreButton = editMessage.locator('button', { hasText: 'Restore checkpoint…' });
      await restoreButton.waitFor();
      await restoreButton.click();
      const panel = chat.locator('.restore-panel');
      await panel.locator('.restore-file', { hasText: 'greeting.txt' }).waitFor();
      assert.match(await panel.innerText(), /restored/);
      // VS Code's multi-file diff editor shows the same change.
      await page.locator('.tab', { hasText: 'Restore checkpoint' }).waitFor();
      await page.waitForTimeout(500); // let the diff paint
      await page.screenshot({ path: join(ARTIFACTS, 'vscode-restore-preview.png') });
      assert.equal(readFileSync(greeting, 'utf8'), 'hello, world\n', 'nothing restored before confirming');
      await panel.locator('button', { hasText: /^Restore$/ }).click();
      await eventually('greeting.txt restored', () => readFileSync(greeting, 'utf8') === 'hello\n', page);
      await chat.locator('.msg-notice', { hasText: /Restored 1 file/ }).waitFor();
      assert.equal(await panel.isHidden(), true);
    } catch (err) {
      console.error(serverLog.slice(-60).join('\n'));
      throw err;
    } finally {
      await browser.close();
      await cs.stop();
      await model.close();
    }
  },
);
