import type { Authorize } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';

/**
 * Who the bot is, asked of Slack once (`auth.test`) and remembered; asked again only after a
 * failure. Bolt's own single-token authorization, with token verification off, calls auth.test
 * before every delivery: a Web API round trip in front of every acknowledgement, and a rate
 * limit to hit under load.
 */
export function botAuthorization(client: WebClient, botToken: string): Authorize<boolean> {
  let bot: Promise<{ botId?: string; botUserId?: string }> | undefined;
  return async () => {
    bot ??= client.auth.test({ token: botToken }).then((answer) => ({ botId: answer.bot_id, botUserId: answer.user_id }));
    try {
      return { botToken, ...(await bot) };
    } catch (error) {
      bot = undefined;
      throw error;
    }
  };
}
