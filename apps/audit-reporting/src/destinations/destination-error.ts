/**
 * How a destination refused a batch, and so what happens next:
 * `retry` (timeouts, 408, 429, 5xx: the same batch again, after Retry-After or a backoff),
 * `split` (413: half the batch, down to one record), `reject` (another 4xx: the batch is split
 * down to the record it refuses, which is quarantined with the reason), `pause` (401, 403:
 * nothing will pass until someone fixes the credentials; tried again slowly, and said loudly).
 */
export class DestinationError extends Error {
  constructor(
    readonly kind: 'retry' | 'split' | 'reject' | 'pause',
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'DestinationError';
  }

  /** From an HTTP answer that was not a success. */
  static fromStatus(status: number, body: string, retryAfter: string | null): DestinationError {
    const detail = `HTTP ${status}${body ? `: ${body.slice(0, 200)}` : ''}`;
    if (status === 401 || status === 403) return new DestinationError('pause', `${detail} — the destination refuses our credentials`);
    if (status === 413) return new DestinationError('split', detail);
    if (status === 408 || status === 429 || status >= 500) return new DestinationError('retry', detail, retryAfterMs(retryAfter));
    return new DestinationError('reject', detail);
  }
}

/** Retry-After as seconds or an HTTP date, in milliseconds. */
export function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
