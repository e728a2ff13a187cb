/** Thrown by a handler when retrying cannot help (bad reference, broken invariant): straight to the DLQ. */
export class NonRetryableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NonRetryableError';
  }
}
