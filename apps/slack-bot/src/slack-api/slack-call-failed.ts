import { slackFailureOf, type SlackFailure } from './slack-failure';

/** A Slack call that failed, with what it was for, so the failure can be reported in words. */
export class SlackCallFailed extends Error {
  constructor(
    readonly failure: SlackFailure,
    readonly method: string,
    readonly destination: string,
    readonly purpose: string,
  ) {
    super(`${method} to ${destination} (${purpose}) failed: ${failure.code}`);
    this.name = 'SlackCallFailed';
  }
}

/** Runs one Slack call; whatever it throws comes out as a SlackCallFailed. */
export async function slackCall<T>(method: string, destination: string, purpose: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw error instanceof SlackCallFailed ? error : new SlackCallFailed(slackFailureOf(error), method, destination, purpose);
  }
}

/** A lasting failure found without calling Slack (no Slack user has that email). */
export function lastingFailure(code: string, method: string, destination: string, purpose: string): SlackCallFailed {
  return new SlackCallFailed({ code, retryable: false }, method, destination, purpose);
}
