/** An error Okta answered, with its code (E0000007, invalid_client…) and summary, or a transport failure. */
export class OktaError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    summary: string,
  ) {
    super(`Okta ${status} ${code}: ${summary}`);
    this.name = 'OktaError';
  }
}
