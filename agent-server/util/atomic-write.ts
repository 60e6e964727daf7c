import * as path from 'node:path';
import { mkdir, open, rename, rm, stat, chmod } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';

/**
 * Writes a file so that a crash leaves either the old or the new content, never half:
 * temp file in the same folder, fsync, rename over. Keeps the old file's mode.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, mode?: number): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let keepMode = mode;
  if (keepMode === undefined) {
    try {
      keepMode = (await stat(file)).mode & 0o7777;
    } catch {
      keepMode = undefined;
    }
  }
  const handle = await open(tmp, 'w', keepMode ?? 0o644);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  if (keepMode !== undefined) await chmod(tmp, keepMode);
  try {
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
