/**
 * Job results in VS Code (code-server, Chromium, the real dist/cairn.js, the scripted model): a
 * scheduled job run while the editor was closed (`cairn jobs add` + `cairn jobs run`) shows as a
 * badge on the Cairn view and in the history list's "Job results" group, marked New; opening it
 * shows its answer and the badge goes away.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
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

const isJob = (body: ChatRequestBody) =>
  body.messages.some((m) => m.role === 'user' && String(m.content).includes('check the dependencies'));

/** The badge on the Cairn icon in the activity bar ('' when none). */
async function badge(page: Page): Promise<string> {
  const item = page.locator('.activitybar .action-item', { has: page.locator('a[aria-label^="Cairn"]') });
  const content = item.locator('.badge .badge-content');
  if ((await content.count()) === 0 || !(await content.first().isVisible())) return '';
  return ((await content.first().textContent()) ?? '').trim();
}

async function eventually(what: string, check: () => Promise<boolean>, page: Page): Promise<void> {
  for (let i = 0; i < 900; i++) {
    if (await check()) return;
    await page.waitForTimeout(100);
  }
  assert.fail(`never happened: ${what}`);
}

test(
  'VS Code: an unseen job result shows as a badge and in the Job results group; opening it clears the badge',
  { skip: skip ?? false, timeout: 900_000 },
  async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const work = mkdtempSync(join(tmpdir(), 'cairn-e2e-jobs-'));
    const workspace = join(work, 'project');
    const home = join(work, 'cairn-home');
    mkdirSync(workspace);
    mkdirSync(home);
    writeFileSync(join(workspace, 'package.json'), '{"name":"x","dependencies":{}}\n');

    const vsix = packageExtension(work);
    const model = await startScriptedModel((body) =>
      isJob(body) ? { text: 'No outdated dependencies.' } : { text: 'Seen.' },
    );
    const env = e2eEnv(home);

    // The job runs before the editor opens, as the scheduler would overnight.
    // Asynchronously: the scripted model answers from this process.
    const cairn = async (...args: string[]) =>
      (
        await promisify(execFile)(process.execPath, [join(ROOT, 'dist/cairn.js'), 'jobs', ...args], {
          cwd: workspace,
          env: { ...env, OPENAI_BASE_URL: model.url, CAIRN_MODEL: 'scripted-model' },
          encoding: 'utf8',
        })
      ).stdout;
    const added = await cairn(
      'add',
      '--every',
      '1d',
      '--name',
      'deps',
      '--cwd',
      workspace,
      'check the dependencies',
    );
    const jobId = /Added job ([0-9a-f]{8})/.exec(added)?.[1];
    assert.ok(jobId, added);
    assert.match(await cairn('run', jobId), /COMPLETED/);

    const settings = workbenchSettings(model.url);
    const serverLog: string[] = [];
    const cs = await startCodeServer({ vsix, workspace, settings, env, log: (l) => serverLog.push(l) });
    const browser = await launchBrowser();
    try {
      const { page, cairnIcon } = await openWorkbench(browser, cs, workspace, { width: 1280, height: 900 });
      await cairnIcon.click();
      const chat = await chatFrame(page);
      await chat.locator('.activity-idle').waitFor();

      await eventually(
        'the badge counts the unseen job result',
        async () => (await badge(page)) === '1',
        page,
      );

      await chat.locator('button[aria-label="More actions"]').first().click();
      await chat.locator('button[aria-label="Previous chats"]').click();
      const group = chat.locator('section[aria-label="Job results"]');
      await group.waitFor({ timeout: 60_000 });
      const run = group.locator('button.session', { hasText: /Job deps/ });
      await run.locator('.badge-new', { hasText: 'New' }).waitFor();
      await page.screenshot({ path: join(ARTIFACTS, 'vscode-job-results.png') });

      await run.click();
      await chat.locator('.msg-agent', { hasText: 'No outdated dependencies.' }).waitFor({ timeout: 60_000 });
      // Opened: the history list no longer marks it new.
      await chat.locator('button[aria-label="More actions"]').first().click();
      await chat.locator('button[aria-label="Previous chats"]').click();
      await group.locator('button.session', { hasText: /Job deps/ }).waitFor();
      assert.equal(await group.locator('.badge-new').count(), 0);
      await eventually(
        'the badge is gone once the result was opened',
        async () => (await badge(page)) === '',
        page,
      );
    } catch (err) {
      writeFileSync(join(ARTIFACTS, 'vscode-job-results-code-server.log'), serverLog.join('\n'));
      const pages = browser.contexts().flatMap((c) => c.pages());
      if (pages[0])
        await pages[0]
          .screenshot({ path: join(ARTIFACTS, 'vscode-job-results-failure.png') })
          .catch(() => {});
      throw err;
    } finally {
      await browser.close();
      await cs.stop();
      await model.close();
    }
  },
);
