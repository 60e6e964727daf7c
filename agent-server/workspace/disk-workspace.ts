import * as path from 'node:path';
import { readFile } from 'node:fs/promises';
import type { PathPolicy } from './paths.js';
import type { Workspace } from './workspace.js';
import { writeFileAtomic } from '../util/atomic-write.js';

/** Plain disk access: used when the client does not offer fs methods. */
export class DiskWorkspace implements Workspace {
  constructor(readonly paths: PathPolicy) {}

  async readText(absolutePath: string): Promise<string | undefined> {
    try {
      return await readFile(absolutePath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async writeText(absolutePath: string, content: string): Promise<void> {
    await writeFileAtomic(path.resolve(absolutePath), content);
  }
}
