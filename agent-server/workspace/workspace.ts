import type { PathPolicy } from './paths.js';

/**
 * Files as a session sees them. Reads and writes go through the ACP client when it
 * offers them (so unsaved buffers are seen and edits are reviewed), else the disk.
 * All paths given here are absolute and already resolved by `paths`.
 */
export interface Workspace {
  readonly paths: PathPolicy;
  /** Current text of a file; `undefined` when it does not exist. */
  readText(absolutePath: string): Promise<string | undefined>;
  /** Writes the whole file, creating folders as needed. Throws when the write was refused. */
  writeText(absolutePath: string, content: string): Promise<void>;
}

/** The client refused a write (the user rejected it in review). */
export class WriteRejectedError extends Error {
  override name = 'WriteRejectedError';
}
