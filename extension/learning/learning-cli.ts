import { execFile } from 'node:child_process';
import { join } from 'node:path';

/**
 * Runs the bundled `cairn` CLI for the Memory & Skills view (`memory list --json`, `skills rm …`),
 * with the editor's Node, in the workspace folder. Changes go through the same commands a user
 * would type, so they record versions and scan what they restore.
 */
export class LearningCli {
  constructor(
    private readonly opts: {
      execPath: string;
      extensionPath: string;
      cwd: () => string | null;
      env: NodeJS.ProcessEnv;
    },
  ) {}

  run(args: string[]): Promise<string> {
    const cwd = this.opts.cwd();
    if (!cwd) return Promise.reject(new Error('Open a folder to see its memory and skills.'));
    const script = join(this.opts.extensionPath, 'dist', 'cairn.js');
    return new Promise((resolve, reject) => {
      execFile(
        this.opts.execPath,
        [script, ...args],
        { cwd, env: { ...this.opts.env, ELECTRON_RUN_AS_NODE: '1' }, maxBuffer: 16 * 1024 * 1024 },
        (err, stdout, stderr) => {
          if (err) reject(new Error(stderr.trim() || err.message));
          else resolve(stdout);
        },
      );
    });
  }

  async json<T>(args: string[]): Promise<T> {
    return JSON.parse(await this.run([...args, '--json'])) as T;
  }
}
