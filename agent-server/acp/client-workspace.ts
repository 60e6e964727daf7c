import type * as acp from '@agentclientprotocol/sdk';
import { access } from 'node:fs/promises';
import type { PathPolicy } from '../workspace/paths.js';
import { WriteRejectedError, type Workspace } from '../workspace/workspace.js';
import { DiskWorkspace } from '../workspace/disk-workspace.js';

/**
 * Files through the ACP client (`fs/read_text_file`, `fs/write_text_file`) so the agent sees
 * unsaved editor buffers and the editor reviews every write. Falls back to the disk for
 * whichever method the client does not offer.
 */
export class ClientWorkspace implements Workspace {
  private readonly disk: DiskWorkspace;

  constructor(
    readonly paths: PathPolicy,
    private readonly client: acp.AgentContext,
    private readonly sessionId: string,
    private readonly can: { read: boolean; write: boolean },
  ) {
    this.disk = new DiskWorkspace(paths);
  }

  async readText(absolutePath: string): Promise<string | undefined> {
    if (!this.can.read) return this.disk.readText(absolutePath);
    try {
      const { content } = await this.client.request('fs/read_text_file', {
        sessionId: this.sessionId,
        path: absolutePath,
      });
      return content;
    } catch (err) {
      // The client answers for a file that does not exist with an error: a missing file is
      // `undefined`, not a failure. (Open buffers for new files were answered above.)
      const onDisk = await access(absolutePath).then(
        () => true,
        () => false,
      );
      if (!onDisk) return undefined;
      throw new Error(`The editor could not read ${absolutePath}: ${(err as Error).message}`);
    }
  }

  async writeText(absolutePath: string, content: string): Promise<void> {
    if (!this.can.write) return this.disk.writeText(absolutePath, content);
    try {
      await this.client.request('fs/write_text_file', {
        sessionId: this.sessionId,
        path: absolutePath,
        content,
      });
    } catch (err) {
      throw new WriteRejectedError(`the editor did not apply it (${(err as Error).message})`);
    }
  }
}
