import * as path from 'node:path';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import type { JournalEntry, PositionedEntry } from './journal-entry.js';
import { errorMessage } from '../../shared/error-message.js';

interface Waiting {
  entry: JournalEntry;
  line: Buffer;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * Appends entries to this process's own journal segment with group commit: entries that
 * arrive while an fsync is running go out together in the next write + fsync, and each
 * append resolves only after the fsync that covers it. One segment per process, so two
 * Cairn servers sharing a home never interleave or contend on a file.
 */
export class SegmentWriter {
  readonly name: string;
  private readonly file: string;
  private handle: FileHandle | undefined;
  private end = 0;
  private queue: Waiting[] = [];
  private flushing: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly dir: string,
    /** Called once per durable batch, in journal order, before the appends resolve. */
    private readonly onDurable: (batch: PositionedEntry[]) => void,
  ) {
    // Lexical order of names is creation order, which the index uses to replay segments.
    const stamp = Date.now().toString(36).padStart(10, '0');
    this.name = `${stamp}-${process.pid}-${randomBytes(3).toString('hex')}.jsonl`;
    this.file = path.join(dir, this.name);
  }

  append(entry: JournalEntry): Promise<void> {
    if (this.closed) return Promise.reject(new Error('History is closed; the entry was not recorded.'));
    const line = Buffer.from(JSON.stringify(entry) + '\n', 'utf8');
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ entry, line, resolve, reject });
      this.flushing ??= this.flush().finally(() => (this.flushing = undefined));
    });
  }

  /** Waits for every queued entry, then closes the file. Later appends are refused. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing) await this.flushing;
    await this.handle?.close();
    this.handle = undefined;
  }

  private async flush(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0);
      const start = this.end;
      try {
        const handle = this.handle ?? (await this.create());
        const data = batch.length === 1 ? batch[0]!.line : Buffer.concat(batch.map((w) => w.line));
        let written = 0;
        while (written < data.length) {
          const { bytesWritten } = await handle.write(data, written, data.length - written, start + written);
          written += bytesWritten;
        }
        await handle.datasync();
        this.end = start + data.length;
      } catch (err) {
        // Cut a partial write back off so the next batch starts on a line boundary.
        await this.handle?.truncate(start).catch(() => undefined);
        const error = new Error(`Could not write history journal ${this.file}: ${errorMessage(err)}`);
        for (const w of batch) w.reject(error);
        continue;
      }
      let pos = start;
      const positioned = batch.map((w) => {
        const item = { entry: w.entry, position: { segment: this.name, pos, len: w.line.length } };
        pos += w.line.length;
        return item;
      });
      try {
        this.onDurable(positioned);
      } catch (err) {
        // The entries are durable; a failing index only delays search until the next start.
        process.stderr.write(`cairn: history index update failed: ${(err as Error).stack ?? err}\n`);
      }
      for (const w of batch) w.resolve();
    }
  }

  private async create(): Promise<FileHandle> {
    await mkdir(this.dir, { recursive: true });
    const handle = await open(this.file, 'wx', 0o600);
    // Make the new file's name durable too, or a power cut could lose the whole segment.
    const dirHandle = await open(this.dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
    this.handle = handle;
    return handle;
  }
}
