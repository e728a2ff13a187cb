import type { BlockAction } from '@slack/bolt';

/** The message a button was clicked on: where it is, to answer there or update it. */
export function clickedMessage(body: BlockAction): { channel: string; ts: string } | undefined {
  const channel = body.channel?.id ?? body.container?.channel_id;
  const ts = body.message?.ts ?? body.container?.message_ts;
  return channel && ts ? { channel, ts } : undefined;
}
