import type { EntityManager } from 'typeorm';

export interface PostedMessage {
  channel: string;
  ts: string;
  requestId: string;
  kind: 'approval' | 'requester';
  recipient: string | null;
}

/** The messages slack-bot posted, so every copy can be found again when the request moves. */
export const postedMessages = {
  async add(manager: EntityManager, message: PostedMessage): Promise<void> {
    await manager.query(`INSERT INTO slack_bot.messages (channel, ts, request_id, kind, recipient) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, [
      message.channel,
      message.ts,
      message.requestId,
      message.kind,
      message.recipient,
    ]);
  },

  async of(manager: EntityManager, requestId: string, kind: PostedMessage['kind']): Promise<PostedMessage[]> {
    const rows: { channel: string; ts: string; recipient: string | null }[] = await manager.query(
      `SELECT channel, ts, recipient FROM slack_bot.messages WHERE request_id = $1 AND kind = $2 ORDER BY posted_at`,
      [requestId, kind],
    );
    return rows.map((row) => ({ ...row, requestId, kind }));
  },

  async remove(manager: EntityManager, message: Pick<PostedMessage, 'channel' | 'ts'>): Promise<void> {
    await manager.query(`DELETE FROM slack_bot.messages WHERE channel = $1 AND ts = $2`, [message.channel, message.ts]);
  },
};
