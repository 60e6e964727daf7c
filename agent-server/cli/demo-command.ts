import * as os from 'node:os';
import * as path from 'node:path';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { startScriptedModel } from '../demo/scripted-model-server.js';
import { DEMO_FILES, DEMO_PROMPT, DEMO_SCRIPT } from '../demo/demo-project.js';
import { scrubEnvironment } from '../terminal/env-scrub.js';
import { runPromptLocally } from './local-client.js';
import { bold, cyan, dim } from './render.js';

/** Environment for the demo: a throwaway home, the scripted model, and no real secrets or Cairn settings. */
function demoEnv(modelUrl: string, home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = scrubEnvironment(process.env);
  for (const name of Object.keys(env))
    if (name.startsWith('CAIRN_') || name.startsWith('OPENAI_')) delete env[name];
  return {
    ...env,
    CAIRN_HOME: home,
    OPENAI_BASE_URL: modelUrl,
    OPENAI_API_KEY: 'demo',
    CAIRN_MODEL: 'cairn-demo-script',
  };
}

/** `cairn demo`: a real session, offline, against the built-in scripted model. */
export async function demoCommand(argv: string[]): Promise<number> {
  const unknown = argv.filter((a) => a !== '--keep');
  if (unknown.length) {
    process.stderr.write(`cairn demo: unknown argument "${unknown[0]}" (try cairn demo --help)\n`);
    return 2;
  }
  const keep = argv.includes('--keep');
  const root = await mkdtemp(path.join(os.tmpdir(), 'cairn-demo-'));
  const workspace = path.join(root, 'slug-demo');
  const home = path.join(root, 'home');
  for (const [file, text] of Object.entries(DEMO_FILES)) {
    await mkdir(path.dirname(path.join(workspace, file)), { recursive: true });
    await writeFile(path.join(workspace, file), text);
  }
  const model = await startScriptedModel(DEMO_SCRIPT);
  const out = (s: string) => process.stdout.write(s);
  out(
    `${bold('Cairn demo')} ${dim('— a real session against a scripted model (no network, no API key).')}\n` +
      dim(`Workspace: ${workspace}\n\n`) +
      `${cyan('You:')} ${DEMO_PROMPT}\n\n${cyan('Cairn:')}\n`,
  );
  try {
    const { stopReason } = await runPromptLocally({
      cwd: workspace,
      prompt: DEMO_PROMPT,
      approvals: 'all',
      allowDangerous: false,
      env: demoEnv(model.url, home),
      out,
      err: (s) => process.stderr.write(s),
    });
    if (stopReason !== 'end_turn') {
      process.stderr.write(`cairn demo: the session stopped early (${stopReason}).\n`);
      return 1;
    }
    out(
      `\n${dim('Done. Every edit and command above was approved automatically for the demo;')}\n` +
        dim('in an editor each one is shown for review first.\n') +
        `\nNext: point Cairn at a real model (${bold('OPENAI_API_KEY')}, ${bold('OPENAI_BASE_URL')}, ${bold('CAIRN_MODEL')}) ` +
        `and add it to your editor — see the README.\n`,
    );
    return 0;
  } finally {
    await model.close();
    if (!keep) await rm(root, { recursive: true, force: true });
    else out(dim(`Kept ${root}\n`));
  }
}
