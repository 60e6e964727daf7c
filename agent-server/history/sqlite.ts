import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { SqlJsStatic } from 'sql.js';
import { packageRoot } from '../config/package-root.js';

let loading: Promise<SqlJsStatic> | undefined;

/**
 * The SQLite WebAssembly binary: `dist/sql-wasm.wasm` next to the bundle (copied at build),
 * else the sql.js package's own when running from source.
 */
function wasmPath(): string {
  const beside = path.join(packageRoot(), 'dist', 'sql-wasm.wasm');
  if (existsSync(beside)) return beside;
  return createRequire(import.meta.url).resolve('sql.js/dist/sql-wasm.wasm');
}

/**
 * sql.js, loaded and compiled once per process, on first use: the history index loads after
 * the first session is answered, so start-up never pays for it.
 */
export function loadSqlJs(): Promise<SqlJsStatic> {
  loading ??= import('sql.js').then(({ default: initSqlJs }) => {
    const file = wasmPath();
    return initSqlJs({ locateFile: () => file });
  });
  return loading;
}
