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
      `${cyan('You:')} ${DEMO_PROMPT}\n\n${cyan('Cairn:')} `,
  );
  try {
    const stop = await runPromptLocally({
      cwd: workspace,
      prompt: DEMO_PROMPT,
      approvals: 'all',
      env: demoEnv(model.url, home),
      out,
      err: (s) => process.stderr.write(s),
    });
    out(
      `\n${dim(`Turn ended: ${stop}. Every edit and command above was approved automatically for the demo;`)}\n` +
        dim('in an editor each one is shown for review first.\n') +
        `\nNext: point Cairn at a real model (${bold('OPENAI_API_KEY')}, ${bold('OPENAI_BASE_URL')}, ${bold('CAIRN_MODEL')}) ` +
        `and add it to your editor — see the README.\n`,
    );
    return stop === 'end_turn' ? 0 : 1;
  } finally {
    await model.close();
    if (!keep) await rm(root, { recursive: true, force: true });
    else out(dim(`Kept ${root}\n`));
  }
}
