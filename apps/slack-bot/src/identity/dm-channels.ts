import { Injectable } from '@nestjs/common';
import type { WebClient } from '@slack/web-api';
import { OneCallAtATime } from '../slack-api/one-call-at-a-time';
import { lastingFailure, slackCall, SlackCallFailed } from '../slack-api/slack-call-failed';

/** Enough for every approver and requester of a large workspace; the oldest go first. */
const MAX_REMEMBERED = 10_000;

/**
 * The bot's DM channel with each person, and the one way slack-bot sends a DM. Slack answers
 * `conversations.open` with the same channel every time, but paces it to 50 calls a minute:
 * asked for every DM, two approvers per request held slack-bot to 25 requests a minute (seen
 * in the chaos soak). A channel that stops taking messages is forgotten and opened again next time.
 */
@Injectable()
export class DmChannels {
  private readonly channels = new Map<string, string>();
  private readonly opening = new OneCallAtATime<string>();

  private async of(client: WebClient, userId: string, purpose: string): Promise<string> {
    const known = this.channels.get(userId);
    if (known) return known;
    try {
      const { value } = await this.opening.run(userId, async () => {
        const opened = await slackCall('conversations.open', userId, purpose, () => client.conversations.open({ users: userId }));
        if (!opened.channel?.id) throw lastingFailure('channel_not_found', 'conversations.open', userId, purpose);
        if (this.channels.size >= MAX_REMEMBERED) this.channels.delete(this.channels.keys().next().value as string);
        this.channels.set(userId, opened.channel.id);
        return opened.channel.id;
      });
      return value;
    } catch (error) {
      // A caller that joined another's open reports the failure as its own message's.
      if (error instanceof SlackCallFailed && error.purpose !== purpose) throw new SlackCallFailed(error.failure, error.method, error.destination, purpose);
      throw error;
    }
  }

  /** Posts in the person's DM with the bot; failures come out as SlackCallFailed. */
  async post(client: WebClient, userId: string, purpose: string, message: { text: string; blocks?: unknown }): Promise<{ channel?: string; ts?: string }> {
    const channel = await this.of(client, userId, purpose);
    try {
      return await slackCall('chat.postMessage', channel, purpose, () => client.chat.postMessage({ channel, text: message.text, ...(message.blocks ? { blocks: message.blocks as never } : {}) }));
    } catch (error) {
      if (error instanceof SlackCallFailed && !error.failure.retryable) this.channels.delete(userId);
      throw error;
    }
  }
}
