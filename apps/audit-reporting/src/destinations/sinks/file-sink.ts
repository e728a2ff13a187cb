import { appendFile, rename, stat } from 'node:fs/promises';
import type { AuditDestination } from '@gatehouse/config';
import { ReusedBytes } from '../../joined-bytes';
import { LineSink, type Line } from './sink';

/**
 * JSON lines appended to a file, rotated to `<path>.<ISO time>` before it would pass maxBytes or
 * once it is maxAgeSeconds old, so a log shipper can pick up closed files. A big batch spreads
 * over as many files as it needs; no file but a single oversized line passes maxBytes.
 */
export class FileSink extends LineSink {
  /** Each append finishes before the next begins, so one buffer serves them all. */
  private readonly bytes = new ReusedBytes();
  private openedAt = Date.now();
  private rotations = 0;

  constructor(private readonly destination: Extract<AuditDestination, { type: 'file' }>) {
    super();
  }

  async sendLines(lines: readonly Line[]): Promise<void> {
    if (lines.length === 0) return;
    const { path, rotate } = this.destination;
    let size = await stat(path).then(
      (s) => s.size,
      () => 0,
    );
    if (size === 0) this.openedAt = Date.now();
    if (size > 0 && Date.now() - this.openedAt >= rotate.maxAgeSeconds * 1000) size = await this.rotate();
    // Most pages fit: appended as one write.
    const page = this.bytes.join(lines, '\n', '', '\n');
    if (size + page.length <= rotate.maxBytes) return appendFile(path, page);
    let from = 0;
    let chunkBytes = 0;
    for (let i = 0; i < lines.length; i++) {
      const bytes = Buffer.byteLength(lines[i] as Line) + 1;
      if (size + chunkBytes + bytes > rotate.maxBytes && size + chunkBytes > 0) {
        if (i > from) await appendFile(path, this.bytes.join(lines.slice(from, i), '\n', '', '\n'));
        size = await this.rotate();
        from = i;
        chunkBytes = 0;
      }
      chunkBytes += bytes;
    }
    if (lines.length > from) await appendFile(path, this.bytes.join(lines.slice(from), '\n', '', '\n'));
  }

  /** Closes the current file under a name that sorts by time; 0, the size of the new one. */
  private async rotate(): Promise<number> {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    await rename(this.destination.path, `${this.destination.path}.${stamp}.${String(++this.rotations).padStart(6, '0')}`);
    this.openedAt = Date.now();
    return 0;
  }
}
