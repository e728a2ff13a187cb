/** Thrown by a handler when retrying cannot help (bad reference, broken invariant): straight to the DLQ. */
export class NonRetryableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NonRetryableError';
  }
}

/**
 * Thrown by a handler when something it depends on outside Gatehouse (Okta, say) is failing
 * for now: retried like the broker or PostgreSQL being down, without using up attempts.
 */
export class TransientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransientError';
  }
}

const TRANSIENT_NAMES = new Set([
  'TransientError',
  'RequestTimeoutError', // the service asked did not answer in time: down, restarting or busy
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSBrokerNotFound',
  'KafkaJSLockTimeout',
]);
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', '57P01', '57P02', '57P03', '53300']);

/**
 * A failure of something the handler depends on (the broker, PostgreSQL, a service it asks)
 * rather than of the message: retrying later will succeed once that is back, so it must not
 * use up the message's attempts and send it to the dead-letter topic.
 */
export function isTransientError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const { name, code, message, retriable } = e as { name?: unknown; code?: unknown; message?: unknown; retriable?: unknown };
    if (typeof name === 'string' && (TRANSIENT_NAMES.has(name) || (name.startsWith('KafkaJS') && retriable === true))) return true;
    // PostgreSQL's connection exceptions are class 08; 57P0x is the server shutting down or starting.
    // (The pool's own 'timeout exceeded when trying to connect' means every connection was busy.)
    if (typeof code === 'string' && (TRANSIENT_CODES.has(code) || code.startsWith('08'))) return true;
    if (typeof message === 'string' && /Connection terminated|terminating connection|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(message)) return true;
    e = (e as { driverError?: unknown; cause?: unknown }).driverError ?? (e as { cause?: unknown }).cause;
  }
  return false;
}
