import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { runPromptLocally, type ApprovalPolicy } from './local-client.js';

/** `cairn run [options] PROMPT`: one prompt, headless, in the current folder. */
export async function runCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        yes: { type: 'boolean', short: 'y' },
        approve: { type: 'string' },
        mode: { type: 'string' },
        cwd: { type: 'string' },
      },
    });
  } catch (err) {
    process.stderr.write(`cairn run: ${(err as Error).message}\n`);
    return 2;
  }
  const prompt = parsed.positionals.join(' ').trim();
  if (!prompt) {
    process.stderr.write('cairn run: give a prompt, e.g. cairn run "explain src/main.ts"\n');
    return 2;
  }
  const { yes, approve, mode, cwd } = parsed.values;
  if (approve && approve !== 'edits' && approve !== 'all' && approve !== 'none') {
    process.stderr.write('cairn run: --approve takes edits, all or none\n');
    return 2;
  }
  const approvals: ApprovalPolicy = yes ? 'all' : ((approve as ApprovalPolicy | undefined) ?? 'ask');
  const controller = new AbortController();
  const onSigint = () => {
    process.stderr.write('\ncairn: cancelling…\n');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  try {
    const stop = await runPromptLocally({
      cwd: path.resolve(cwd ?? process.cwd()),
      prompt,
      approvals,
      mode,
      env: process.env,
      out: (s) => process.stdout.write(s),
      err: (s) => process.stderr.write(s),
      signal: controller.signal,
    });
    if (stop !== 'end_turn') process.stderr.write(`cairn: turn ended: ${stop}\n`);
    return stop === 'end_turn' ? 0 : stop === 'cancelled' ? 130 : 1;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`cairn: ${message}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
