/**
 * The extension in real VS Code (code-server) in a real browser (Chromium), running the real
 * `dist/cairn.js` against the scripted model: chat, tool card, inline diff review (accept +
 * one-step undo, reject), a command approval, and panel screenshots in light and dark.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
  runCommand,
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

/** The model: answers by the user's words; after a tool result it reports what it saw. */
function script(req: ChatRequestBody): ScriptStep {
  const last = req.messages.at(-1)!;
  if (last.role === 'tool') return { text: `Tool said: ${text(last.content).slice(0, 200)}` };
  const said = text(last.content);
  if (said.includes('say hello')) return { text: 'Hello from the scripted model!' };
  if (said.includes('edit greeting'))
    return {
      toolCalls: [{ name: 'write_file', arguments: { path: 'greeting.txt', content: 'hello, world\n' } }],
    };
  if (said.includes('edit notes'))
    return {
      toolCalls: [{ name: 'write_file', arguments: { path: 'notes.txt', content: 'overwritten\n' } }],
    };
  if (said.includes('hang')) return { fault: 'hang' };
  if (said.includes('create a file'))
    return { toolCalls: [{ name: 'write_file', arguments: { path: 'docs/new.md', content: '# New\n' } }] };
  if (said.includes('run a command'))
    return { toolCalls: [{ name: 'terminal', arguments: { command: 'echo cairn-e2e-$((20+22))' } }] };
  return { text: 'OK.' };
}

async function send(chat: Frame, prompt: string): Promise<void> {
  const box = chat.locator('textarea[aria-label="Message Cairn"]');
  await box.fill(prompt);
  await chat.locator('button[aria-label^="Send"]:not([disabled])').click();
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
  'VS Code: chat, tool cards, inline diff review, command approval',
  { skip: skip ?? false, timeout: 900_000 },
  async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const work = mkdtempSync(join(tmpdir(), 'cairn-e2e-vscode-'));
    const workspace = join(work, 'project');
    const home = join(work, 'cairn-home');
    mkdirSync(workspace);
    mkdirSync(home);
    // Commands run through the editor (ACP terminal/*), shown in a VS Code pseudo-terminal.
    writeFileSync(join(home, 'config.json'), JSON.stringify({ terminal: { backend: 'client' } }));
    writeFileSync(join(workspace, 'greeting.txt'), 'hello\n');
    writeFileSync(join(workspace, 'notes.txt'), 'keep me\n');

    const vsix = packageExtension(work);
    const model = await startScriptedModel(script);
    const env = e2eEnv(home);
    const settings = workbenchSettings(model.url, {
      'workbench.colorTheme': 'Default Light Modern',
      // CodeLenses in diff editors are off by default in VS Code; the review's Accept / Reject lenses need them.
      'diffEditor.codeLens': true,
    });
    const serverLog: string[] = [];
    const cs = await startCodeServer({ vsix, workspace, settings, env, log: (l) => serverLog.push(l) });
    const browser = await launchBrowser();
    try {
      const { page, cairnIcon } = await openWorkbench(browser, cs, workspace, { width: 1280, height: 800 });
      const opened = Date.now();
      await cairnIcon.click();
      const chat = await chatFrame(page);
      await idle(chat);
      // A figure for the report, not an assertion: the machine's load decides it.
      console.log(`panel ready: ${Date.now() - opened} ms from opening the view to "Ready"`);
      const header = chat.locator('header.header');
      const headerHeights: Record<string, number> = { idle: (await header.boundingBox())!.height };

      // 1. A streamed answer.
      await send(chat, 'say hello');
      await chat.locator('text=Hello from the scripted model!').waitFor();
      await idle(chat);

      // 2. An edit: tool card, diff editor, Accept writes the file; one undo reverts it.
      await send(chat, 'edit greeting');
      const review = chat.locator('.review-card');
      await review.waitFor();
      await chat.locator('.activity-awaiting_approval').waitFor();
      headerHeights.awaiting_approval = (await header.boundingBox())!.height;
      // The first prompt named the chat before the turn ended.
      assert.notEqual(await header.locator('.title').innerText(), 'New chat');
      await chat.locator('.tool-card', { hasText: 'greeting.txt' }).first().waitFor();
      await page.locator('.tab', { hasText: 'Cairn: greeting.txt' }).waitFor();
      assert.equal(
        readFileSync(join(workspace, 'greeting.txt'), 'utf8'),
        'hello\n',
        'nothing written before Accept',
      );
      // Screenshots of the review in both themes (the README uses them).
      // Accept / Reject are labelled in the diff's title bar (text, not bare icons).
      await page.locator('.editor-actions .action-label', { hasText: 'Accept Edit' }).waitFor();
      await page.waitForTimeout(500); // let the diff paint
      await page.screenshot({ path: join(ARTIFACTS, 'vscode-light.png') });
      await runCommand(page, 'Preferences: Color Theme', 'Dark Modern');
      await page.locator('.monaco-workbench.vs-dark').waitFor();
      await page.waitForTimeout(500);
      await page.screenshot({ path: join(ARTIFACTS, 'vscode-dark.png') });
      await review.locator('button', { hasText: 'Accept' }).click();
      await eventually(
        'greeting.txt written',
        () => readFileSync(join(workspace, 'greeting.txt'), 'utf8') === 'hello, world\n',
        page,
      );
      await idle(chat);
      await eventually(
        'the model was told the file changed',
        () => model.requests.some((r) => text(r.messages.at(-1)?.content).includes('greeting.txt')),
        page,
      );
      assert.equal(
        await page.locator('.tab', { hasText: 'Cairn: greeting.txt' }).count(),
        0,
        'the diff closed',
      );

      // The tool card's location opens the file; one undo there restores the old text.
      await chat.locator('.tool-card .location', { hasText: 'greeting.txt' }).first().click();
      const editor = page.locator('.editor-instance .monaco-editor').first();
      await page.locator('.tab.active', { hasText: 'greeting.txt' }).waitFor();
      await editor.click();
      await page.keyboard.press('Control+Z');
      await page.keyboard.press('Control+S');
      await eventually(
        'one undo restores greeting.txt',
        () => readFileSync(join(workspace, 'greeting.txt'), 'utf8') === 'hello\n',
        page,
      );

      // A new file is created only on Accept, folders included.
      await send(chat, 'create a file');
      await chat.locator('.review-card', { hasText: 'new.md' }).waitFor();
      assert.equal(existsSync(join(workspace, 'docs/new.md')), false);
      await chat.locator('.review-card button', { hasText: 'Accept' }).click();
      await eventually(
        'docs/new.md created',
        () =>
          existsSync(join(workspace, 'docs/new.md')) &&
          readFileSync(join(workspace, 'docs/new.md'), 'utf8') === '# New\n',
        page,
      );
      await idle(chat);

      // 3. A rejected edit leaves the file alone and the model hears it was not changed.
      await send(chat, 'edit notes');
      await chat.locator('.review-card').waitFor();
      // This time from the labelled CodeLens at the top of the diff (the cairn.rejectEdit command).
      await page.locator('.tab', { hasText: 'Cairn: notes.txt' }).waitFor();
      await page.locator('.codelens-decoration a', { hasText: 'Reject edit' }).first().click();
      await idle(chat);
      assert.equal(readFileSync(join(workspace, 'notes.txt'), 'utf8'), 'keep me\n');
      // The card says what happened: rejected, never Done.
      const rejected = chat.locator('.tool-card.status-rejected').last();
      await rejected.waitFor();
      assert.match(await rejected.locator('.tool-status').innerText(), /Rejected/);
      const toolResult = model.requests.map((r) => r.messages.at(-1)!).findLast((m) => m.role === 'tool');
      assert.match(text(toolResult?.content), /NOT changed/);

      // 4. A command approval: the card shows the agent's options; Allow runs it.
      await send(chat, 'run a command');
      const permission = chat.locator('.permission-card');
      await permission.waitFor();
      const options = await permission.locator('.pending-actions button').allInnerTexts();
      assert.ok(options.includes('Allow') && options.includes('Reject'), `options: ${options.join(', ')}`);
      await permission.locator('.pending-actions button', { hasText: /^Allow$/ }).click();
      await idle(chat);
      await eventually(
        'the command ran',
        () => model.requests.some((r) => text(r.messages.at(-1)?.content).includes('cairn-e2e-42')),
        page,
      );
      await chat.locator('text=Tool said:').last().waitFor();
      // The output is a terminal block with an exit badge, shown without a click on the latest command.
      const runCard = chat.locator('.tool-card', { hasText: 'echo cairn-e2e' }).last();
      await runCard.locator('.terminal-preview', { hasText: 'cairn-e2e-42' }).waitFor();
      assert.equal(await runCard.locator('.exit-badge').innerText(), 'exit 0');
      assert.doesNotMatch(await runCard.innerText(), /```/);
      // The command ran in a terminal the user can watch.
      await page.locator('.part.panel').locator('text=/Cairn: \\/bin\\/sh/').first().waitFor();

      // 5. Stop: a turn waiting on a model that never answers ends when the user stops it.
      await send(chat, 'hang please');
      await chat.locator('.activity-working').waitFor();
      headerHeights.working = (await header.boundingBox())!.height;
      assert.deepEqual(
        new Set(Object.values(headerHeights)).size,
        1,
        `the header keeps its height: ${JSON.stringify(headerHeights)}`,
      );
      await page.locator('.part.sidebar').screenshot({ path: join(ARTIFACTS, 'vscode-panel.png') });
      await chat.locator('button[aria-label^="Stop the running turn"]').click();
      await idle(chat);

      // 6. Resume: a new chat, then the first session again from the session list.
      await chat.locator('button[aria-label="Start a new chat"]').click();
      await eventually(
        'a fresh chat',
        async () => (await chat.locator('text=Hello from the scripted model!').count()) === 0,
        page,
      );
      await runCommand(page, 'Cairn: Resume Session', 'say hello');
      await chat.locator('text=Hello from the scripted model!').waitFor();
      await chat.locator('text=Tool said: cairn-e2e-42').first().waitFor();

      // 7. A crash: the panel says so; one click restarts the server and reloads the session.
      const server = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
        .stdout.split('\n')
        .find((l) => l.includes(cs.extensionsDir) && l.includes('cairn.js acp'));
      assert.ok(server, 'the extension started dist/cairn.js acp');
      // The restarted server runs commands itself (its output then comes as fenced text).
      writeFileSync(join(home, 'config.json'), JSON.stringify({ terminal: { backend: 'local' } }));
      process.kill(Number(server.trim().split(/\s+/)[0]), 'SIGKILL');
      const banner = chat.locator('.banner-error');
      await banner.locator('text=/killed \\(SIGKILL\\)/').waitFor();
      await banner.locator('button[data-key="restart"]').click();
      await idle(chat);
      await chat.locator('text=Hello from the scripted model!').waitFor();
      await send(chat, 'say hello');
      await eventually(
        'a second answer after the restart',
        async () => (await chat.locator('text=Hello from the scripted model!').count()) === 2,
        page,
      );
      await idle(chat);
      await send(chat, 'run a command');
      await chat.locator('.permission-card').waitFor();
      await chat.locator('.permission-card .pending-actions button', { hasText: /^Allow$/ }).click();
      await idle(chat);
      const fenced = chat.locator('.tool-card', { hasText: 'echo cairn-e2e' }).last();
      await fenced.locator('.terminal-preview', { hasText: 'cairn-e2e-42' }).waitFor();
      assert.doesNotMatch(await fenced.innerText(), /```|Exit code/, 'rendered, not literal Markdown');
      assert.equal(await fenced.locator('.exit-badge').innerText(), 'exit 0');

      // 8. Context: an @file mention from the picker and "Add Selection to Chat" from the editor.
      const box = chat.locator('textarea[aria-label="Message Cairn"]');
      await box.fill('');
      await box.pressSequentially('@greet');
      await chat.locator('#composer-completion .option', { hasText: 'greeting.txt' }).first().click();
      await chat.locator('.context-chips .chip', { hasText: 'greeting.txt' }).waitFor();
      // (The replayed tool card's file link opens notes.txt.)
      await chat.locator('.tool-card .location', { hasText: 'notes.txt' }).first().click();
      await page.locator('.tab.active', { hasText: 'notes.txt' }).waitFor();
      await page.locator('.editor-instance .monaco-editor:visible').first().click();
      await page.keyboard.press('Control+A');
      // The editor keeps focus (and its selection) while the palette runs the command.
      await runCommand(page, 'Cairn: Add Selection to Chat', undefined, { focusWorkbench: false });
      await chat.locator('.context-chips .chip', { hasText: 'notes.txt:1' }).waitFor();
      await box.fill('say hello with context');
      await chat.locator('button[aria-label^="Send"]:not([disabled])').click();
      const lastUserSaid = () =>
        model.requests
          .map((r) => r.messages.findLast((m) => m.role === 'user'))
          .findLast((m) => text(m?.content).includes('say hello with context'));
      await eventually('the prompt with context reached the model', () => !!lastUserSaid(), page);
      const withContext = lastUserSaid();
      assert.match(text(withContext?.content), /greeting\.txt[^]*hello/);
      assert.match(text(withContext?.content), /notes\.txt[^]*keep me/);
    } catch (err) {
      writeFileSync(join(ARTIFACTS, 'vscode-code-server.log'), serverLog.join('\n'));
      const pages = browser.contexts().flatMap((c) => c.pages());
      if (pages[0])
        await pages[0].screenshot({ path: join(ARTIFACTS, 'vscode-failure.png') }).catch(() => {});
      throw err;
    } finally {
      await browser.close();
      await cs.stop();
      await model.close();
    }
  },
);
