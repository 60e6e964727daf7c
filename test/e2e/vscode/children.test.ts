/**
 * Delegation in VS Code (code-server, Chromium, the real dist/cairn.js, the scripted model): the
 * model delegates two tasks; both subagents appear under the delegate card, one is expanded to
 * its own transcript (its tool card and answer), and the other, which hangs, is stopped alone.
 * The parent's next request says which task was done and which was cancelled.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
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
const CHILD_MARK = 'subagent working on one delegated task';

const text = (m: Record<string, unknown> | undefined): string =>
  typeof m?.content === 'string' ? m.content : JSON.stringify(m?.content ?? '');

function script(body: ChatRequestBody): ScriptStep {
  const system = text(body.messages[0]);
  const last = body.messages.at(-1);
  if (system.includes(CHILD_MARK)) {
    const goal = text(body.messages.find((m) => m.role === 'user'));
    if (goal.startsWith('Review')) return { fault: 'hang' };
    return last?.role === 'tool'
      ? { text: 'Found it: app.txt calls oldApi.' }
      : { toolCalls: [{ name: 'read_file', arguments: { path: 'app.txt' } }] };
  }
  if (last?.role === 'tool') return { text: 'Both subagents reported.' };
  return {
    toolCalls: [
      {
        name: 'delegate',
        arguments: { tasks: [{ goal: 'Find the caller of oldApi' }, { goal: 'Review forever' }] },
      },
    ],
  };
}

async function eventually(what: string, check: () => boolean | Promise<boolean>, page: Page): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await page.waitForTimeout(100);
  }
  assert.fail(`never happened: ${what}`);
}

const childRow = (chat: Frame, label: RegExp) => chat.locator('.tool-card .child-card', { hasText: label });

test(
  'VS Code: delegated subagents appear, expand to their transcript, and one is stopped alone',
  { skip: skip ?? false, timeout: 900_000 },
  async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const work = mkdtempSync(join(tmpdir(), 'cairn-e2e-children-'));
    const workspace = join(work, 'project');
    const home = join(work, 'cairn-home');
    mkdirSync(workspace);
    mkdirSync(home);
    writeFileSync(join(workspace, 'app.txt'), 'oldApi();\n');

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

      const box = chat.locator('textarea[aria-label="Message Cairn"]');
      await box.fill('find the callers and review, in parallel');
      await chat.locator('button[aria-label^="Send"]:not([disabled])').click();

      // Both subagents appear under the delegate card.
      const finder = childRow(chat, /Task 1 \(Find the caller of oldApi\)/);
      const reviewer = childRow(chat, /Task 2 \(Review forever\)/);
      await finder.waitFor({ timeout: 120_000 });
      await reviewer.waitFor();
      await finder.locator('.child-status', { hasText: 'Done' }).waitFor({ timeout: 120_000 });
      await reviewer.locator('.child-status', { hasText: 'Running' }).waitFor();
      assert.match((await finder.locator('.child-step').textContent()) ?? '', /1 tool call/);

      // Expanded: the finder's own transcript, its tool card and its answer.
      await finder.locator('button.child-toggle').click();
      const transcript = finder.locator('.child-transcript');
      await transcript.locator('.tool-card', { hasText: 'app.txt' }).waitFor();
      await transcript.locator('.msg-agent', { hasText: 'Found it: app.txt calls oldApi.' }).waitFor();
      await page.screenshot({ path: join(ARTIFACTS, 'vscode-children.png') });

      // Stop only the reviewer: it ends cancelled, the finder stays done, the turn goes on.
      await reviewer.locator('button.child-stop').click();
      await reviewer.locator('.child-status', { hasText: 'Cancelled' }).waitFor({ timeout: 60_000 });
      await chat.locator('.msg-agent', { hasText: 'Both subagents reported.' }).waitFor({ timeout: 60_000 });
      assert.equal(await finder.locator('.child-status', { hasText: 'Done' }).count(), 1);
      assert.equal(await chat.locator('button.child-stop').count(), 0);

      const parentLast = () =>
        model.requests.find(
          (r) => !text(r.messages[0]).includes(CHILD_MARK) && r.messages.at(-1)?.role === 'tool',
        );
      await eventually('the parent read the results', () => !!parentLast(), page);
      const results = text(parentLast()!.messages.at(-1));
      assert.match(results, /Task 1 \(Find the caller of oldApi\): done/);
      assert.match(results, /Task 2 \(Review forever\): cancelled/);
    } catch (err) {
      writeFileSync(join(ARTIFACTS, 'vscode-children-code-server.log'), serverLog.join('\n'));
      const pages = browser.contexts().flatMap((c) => c.pages());
      if (pages[0])
        await pages[0].screenshot({ path: join(ARTIFACTS, 'vscode-children-failure.png') }).catch(() => {});
      throw err;
    } finally {
      await browser.close();
      await cs.stop();
      await model.close();
    }
  },
);
