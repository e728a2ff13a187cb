import { appendFile, rename, stat } from 'node:fs/promises';
import type { AuditDestination } from '@gatehouse/config';

/** Where a destination's lines go; `send` resolves once they are taken (or throws, to be retried). */
export interface Sink {
  send(lines: readonly string[]): Promise<void>;
}

export class StdoutSink implements Sink {
  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {}

  async send(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    await new Promise<void>((resolve, reject) => this.out.write(`${lines.join('\n')}\n`, (error) => (error ? reject(error) : resolve())));
  }
}

/**
 * JSON lines appended to a file, rotated to `<path>.<ISO time>` once it reaches maxBytes or
 * maxAgeSeconds, so a log shipper can pick up closed files.
 */
export class FileSink implements Sink {
  private openedAt = Date.now();

  constructor(private readonly destination: Extract<AuditDestination, { type: 'file' }>) {}

  async send(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    await this.rotateIfDue();
    await appendFile(this.destination.path, `${lines.join('\n')}\n`);
  }

  private async rotateIfDue(): Promise<void> {
    const { path, rotate } = this.destination;
    const size = await stat(path).then(
      (s) => s.size,
      () => undefined,
    );
    if (size === undefined) {
      this.openedAt = Date.now();
      return;
    }
    if (size >= rotate.maxBytes || Date.now() - this.openedAt >= rotate.maxAgeSeconds * 1000) {
      await rename(path, `${path}.${new Date().toISOString().replace(/[:.]/g, '-')}`);
      this.openedAt = Date.now();
    }
  }
}

export function sinkFor(destination: AuditDestination): Sink {
  return destination.type === 'file' ? new FileSink(destination) : new StdoutSink();
}
