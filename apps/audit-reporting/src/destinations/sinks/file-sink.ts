import { appendFile, rename, stat } from 'node:fs/promises';
import type { AuditDestination } from '@gatehouse/config';
import { LineSink } from './sink';

/**
 * JSON lines appended to a file, rotated to `<path>.<ISO time>` before it would pass maxBytes or
 * once it is maxAgeSeconds old, so a log shipper can pick up closed files. A big batch spreads
 * over as many files as it needs; no file but a single oversized line passes maxBytes.
 */
export class FileSink extends LineSink {
  private openedAt = Date.now();
  private rotations = 0;

  constructor(private readonly destination: Extract<AuditDestination, { type: 'file' }>) {
    super();
  }

  async sendLines(text: string, count: number): Promise<void> {
    if (count === 0) return;
    const { path, rotate } = this.destination;
    let size = await stat(path).then(
      (s) => s.size,
      () => 0,
    );
    if (size === 0) this.openedAt = Date.now();
    if (size > 0 && Date.now() - this.openedAt >= rotate.maxAgeSeconds * 1000) size = await this.rotate();
    // Most pages fit: appended as they are, not split into lines and joined again.
    if (size + Buffer.byteLength(text) + 1 <= rotate.maxBytes) return appendFile(path, `${text}\n`);
    const lines = text.split('\n');
    let chunk: string[] = [];
    let chunkBytes = 0;
    for (const line of lines) {
      const bytes = Buffer.byteLength(line) + 1;
      if (size + chunkBytes + bytes > rotate.maxBytes && size + chunkBytes > 0) {
        if (chunk.length > 0) await appendFile(path, `${chunk.join('\n')}\n`);
        size = await this.rotate();
        chunk = [];
        chunkBytes = 0;
      }
      chunk.push(line);
      chunkBytes += bytes;
    }
    if (chunk.length > 0) await appendFile(path, `${chunk.join('\n')}\n`);
  }

  /** Closes the current file under a name that sorts by time; 0, the size of the new one. */
  private async rotate(): Promise<number> {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    await rename(this.destination.path, `${this.destination.path}.${stamp}.${String(++this.rotations).padStart(6, '0')}`);
    this.openedAt = Date.now();
    return 0;
  }
}
