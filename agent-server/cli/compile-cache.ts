import { mkdirSync } from 'node:fs';
import * as nodeModule from 'node:module';
import * as path from 'node:path';
import { cairnHome } from '../config/home.js';

type EnableCompileCache = (directory?: string) => unknown;

/**
 * Where the runtime has it (Node 22.1+: recent VS Code, Zed's Node, current `node`), V8's
 * compiled code for Cairn's modules is kept on disk and reused at the next start: compiling
 * them is most of what `cairn acp` spends before `session/new` is answered. The cache lives in
 * Cairn's own home (`cache/node-compile`), never in a shared temp folder where another user
 * could plant code. Node 20 has no such cache: nothing happens. `NODE_DISABLE_COMPILE_CACHE=1`
 * turns it off, as for any Node program.
 */
export function enableCompileCache(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const enable = (nodeModule as { enableCompileCache?: EnableCompileCache }).enableCompileCache;
  if (typeof enable !== 'function' || env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  try {
    const home = cairnHome(env);
    // Private from the start when Cairn's home does not exist yet.
    mkdirSync(home, { recursive: true, mode: 0o700 });
    const directory = path.join(home, 'cache', 'node-compile');
    enable(directory);
    return directory;
  } catch {
    // A cache is never a reason not to start.
    return undefined;
  }
}
