import type { Logger } from '@gatehouse/observability';
import type { Response } from 'express';

/** A page of something audit-reporting answers, and the cursor of the next one. */
export interface Page<T> {
  items: readonly T[];
  nextCursor?: string;
}

/**
 * Writes pages to a response as they come — the first already fetched (so a failure before any
 * byte is still a proper error), each next one asked for only once the client has taken the
 * last (backpressure): one page in memory whatever the total. A failure part-way cuts the
 * download short, so the client sees an incomplete transfer rather than a clean end.
 */
export async function streamPages<T>(
  res: Response,
  logger: Logger,
  what: string,
  first: Page<T>,
  next: (cursor: string) => Promise<Page<T>>,
  format: { head?: string; item: (item: T, index: number) => string; tail?: string },
): Promise<void> {
  let closed = false;
  res.on('close', () => (closed = true));
  const write = async (text: string) => {
    if (!res.write(text)) await new Promise<void>((resolve) => res.once('drain', resolve).once('close', resolve));
  };
  let count = 0;
  try {
    if (format.head) await write(format.head);
    for (let page = first; ; ) {
      for (const item of page.items) await write(format.item(item, count++));
      if (!page.nextCursor || closed) break;
      page = await next(page.nextCursor);
    }
    if (format.tail) await write(format.tail);
    res.end();
  } catch (error) {
    logger.error({ err: error, written: count }, `${what} failed part-way; the download was cut short`);
    res.destroy(error instanceof Error ? error : new Error(String(error)));
  }
}
