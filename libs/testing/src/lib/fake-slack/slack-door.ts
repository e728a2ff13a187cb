import type { FakeSlack } from './fake-slack';
import { postToSlackDoor, type SlackPost } from './slack-payloads';

/** How Slack's deliveries reach Gatehouse: HTTP to the gateway, or envelopes over Socket Mode. */
export type SlackDoorMode = 'http' | 'socket-mode';
export const SLACK_DOOR_MODES: readonly SlackDoorMode[] = ['http', 'socket-mode'];

/** What Slack got back: the HTTP status and body, or (Socket Mode) 200 and the ack's payload, 0 when nothing acked within 3 s. */
export interface DoorAnswer {
  status: number;
  body: string;
  /** The HTTP answer's Content-Type (Socket Mode acks have none). */
  contentType?: string;
  /** As a fetch Response reads, so a journey written against HTTP reads either. */
  text(): Promise<string>;
  json(): Promise<unknown>;
}

const answer = (status: number, body: string, contentType?: string): DoorAnswer => ({ status, body, contentType, text: async () => body, json: async () => JSON.parse(body) as unknown });

/** slack-bot's environment for the mode: Socket Mode takes the app-level token. */
export function slackBotEnvFor(mode: SlackDoorMode, slack: FakeSlack): NodeJS.ProcessEnv {
  return mode === 'socket-mode' ? { SLACK_APP_TOKEN: slack.appToken } : {};
}

/**
 * Delivers what Slack sends (a slash command, an interaction, an Events API callback) the way
 * the mode does, so one journey can be proven both ways. `retryNum` is Slack sending it again
 * (X-Slack-Retry-Num over HTTP, `retry_attempt` over Socket Mode).
 */
export function slackDoor(mode: SlackDoorMode, slack: FakeSlack, gatewayUrl: () => string): (post: SlackPost, options?: { retryNum?: number }) => Promise<DoorAnswer> {
  return async (post, options = {}) => {
    if (mode === 'http') {
      const retry = options.retryNum ? { headers: { 'x-slack-retry-num': String(options.retryNum), 'x-slack-retry-reason': 'http_timeout' } } : {};
      const response = await postToSlackDoor(`${gatewayUrl()}/slack/events`, slack.signingSecret, post, retry);
      return answer(response.status, await response.text(), response.headers.get('content-type') ?? undefined);
    }
    const acked = await slack.socketMode.deliver(post, options.retryNum ? { retryAttempt: options.retryNum, retryReason: 'timeout' } : {});
    return acked.acked ? answer(200, acked.payload === undefined ? '' : JSON.stringify(acked.payload)) : answer(0, '');
  };
}
