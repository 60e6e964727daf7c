import type { PathPolicy } from './paths.js';
import type { FileInfo } from './anchored-files.js';

/**
 * Files as a session sees them. Reads and writes go through the ACP client when it
 * offers them (so unsaved buffers are seen and edits are reviewed), else the disk.
 * All paths given here are absolute and already checked by `paths`; implementations check them
 * again at the moment of use and never follow a symlink out of the workspace.
 */
export interface Workspace {
  readonly paths: PathPolicy;
  /** Current text of a file; `undefined` when it does not exist. */
  readText(absolutePath: string): Promise<string | undefined>;
  /** What the disk holds at the path (a file's size and first `headBytes` bytes), opened safely. */
  inspect(absolutePath: string, headBytes: number): Promise<FileInfo>;
  /** Writes the whole file, creating folders as needed. Throws when the write was refused. */
  writeText(absolutePath: string, content: string): Promise<void>;
}

/** The client refused a write (the user rejected it in review). */
export class WriteRejectedError extends Error {
  override name = 'WriteRejectedError';
}
