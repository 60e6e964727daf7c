import type { PathPolicy } from './paths.js';
import type { Workspace } from './workspace.js';
import { AnchoredFiles, type FileInfo } from './anchored-files.js';

/** Plain disk access: used when the client does not offer fs methods. */
export class DiskWorkspace implements Workspace {
  /** Every read and write opens the path anew, without following links out of the roots. */
  readonly files: AnchoredFiles;

  constructor(readonly paths: PathPolicy) {
    this.files = new AnchoredFiles(paths.roots, paths.realRoots);
  }

  readText(absolutePath: string): Promise<string | undefined> {
    return this.files.readText(absolutePath);
  }

  inspect(absolutePath: string, headBytes: number): Promise<FileInfo> {
    return this.files.inspect(absolutePath, headBytes);
  }

  writeText(absolutePath: string, content: string): Promise<void> {
    return this.files.writeFile(absolutePath, content);
  }
}
