import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';

/** A fresh real folder (symlinks resolved) that `cleanup` removes. */
export async function tempDir(prefix: string): Promise<string> {
  return fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), `cairn-${prefix}-`)));
}

/** The test's environment: no API keys or tokens from the machine, Cairn's home in a temp folder. */
export function cleanEnv(overrides: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    // NODE_TEST_CONTEXT would make a `node --test` run by the agent think it is nested in ours.
    if (/KEY|TOKEN|SECRET|PASSWORD|^OPENAI_|^CAIRN_|^NODE_TEST_CONTEXT$/i.test(k)) continue;
    env[k] = v;
  }
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) env[k] = v;
  return env;
}

/** Writes files (relative paths → content) under a folder. */
export async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [rel, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await fs.writeFile(path.join(root, rel), text);
  }
}
