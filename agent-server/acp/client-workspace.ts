import type { PathPolicy } from '../workspace/paths.js';
import { WriteRejectedError, type Workspace } from '../workspace/workspace.js';
import { DiskWorkspace } from '../workspace/disk-workspace.js';
import type { FileInfo } from '../workspace/anchored-files.js';
import { errorMessage } from '../../shared/error-message.js';
import type { AgentContext } from './rpc/index.js';

/**
 * Files through the ACP client (`fs/read_text_file`, `fs/write_text_file`) so the agent sees
 * unsaved editor buffers and the editor reviews every write. Falls back to the disk for
 * whichever method the client does not offer.
 *
 * The editor opens paths by name and follows symlinks, so it is only given paths with no symlink
 * from the root down (checked right before asking, and again after it answers). A path through a
 * symlink — even one that stays inside — is read and written on disk here, opened without
 * following links, after the same permission prompt.
 */
export class ClientWorkspace implements Workspace {
  private readonly disk: DiskWorkspace;

  constructor(
    readonly paths: PathPolicy,
    private readonly client: AgentContext,
    private readonly sessionId: string,
    private readonly can: { read: boolean; write: boolean },
  ) {
    this.disk = new DiskWorkspace(paths);
  }

  private linkFree(absolutePath: string): boolean {
    return this.disk.files.isLinkFree(absolutePath);
  }

  async readText(absolutePath: string): Promise<string | undefined> {
    if (!this.can.read || !this.linkFree(absolutePath)) return this.disk.readText(absolutePath);
    let content: string;
    try {
      ({ content } = await this.client.request('fs/read_text_file', {
        sessionId: this.sessionId,
        path: absolutePath,
      }));
    } catch (err) {
      // The client answers for a file that does not exist with an error: a missing file is
      // `undefined`, not a failure. (Open buffers for new files were answered above.)
      if ((await this.disk.inspect(absolutePath, 0)).kind === 'missing') return undefined;
      throw new Error(`The editor could not read ${absolutePath}: ${errorMessage(err)}`);
    }
    // A symlink swapped in while the editor read: its answer may be another file; read safely.
    if (!this.linkFree(absolutePath)) return this.disk.readText(absolutePath);
    return content;
  }

  inspect(absolutePath: string, headBytes: number): Promise<FileInfo> {
    return this.disk.inspect(absolutePath, headBytes);
  }

  async writeText(absolutePath: string, content: string): Promise<void> {
    // Checked now, after any approval: the path may have changed while the user decided.
    if (!this.can.write || !this.linkFree(absolutePath)) return this.disk.writeText(absolutePath, content);
    try {
      await this.client.request('fs/write_text_file', {
        sessionId: this.sessionId,
        path: absolutePath,
        content,
      });
    } catch (err) {
      throw new WriteRejectedError(`the editor did not apply it (${errorMessage(err)})`);
    }
    if (!this.linkFree(absolutePath)) {
      throw new Error(
        `a folder on the path to ${absolutePath} was replaced by a symlink while the editor wrote it; ` +
          'the change may not be where it was meant to go. Check the file before relying on it.',
      );
    }
  }
}
