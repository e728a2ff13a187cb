import type { App } from '@slack/bolt';

/** Posts to a person's DM with the bot (opening it if need be). */
export async function sendDm(client: App['client'], userId: string, message: { text: string; blocks?: Record<string, unknown>[] }): Promise<void> {
  const opened = await client.conversations.open({ users: userId });
  const channel = opened.channel?.id;
  if (!channel) throw new Error(`no DM channel with ${userId}`);
  await client.chat.postMessage({ channel, text: message.text, ...(message.blocks ? { blocks: message.blocks as never } : {}) });
}
