import { createInterface } from 'node:readline/promises';

/**
 * Asks a yes/no question on the terminal; Enter means no. Without a terminal (a pipe, a script)
 * nothing is asked and the answer is no: the caller says to pass --yes.
 */
export async function confirmOnTerminal(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
