import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * Who has opened their App Home. A Home is published fresh whenever its person opens it, so
 * between opens only the Homes of those who have ever looked need keeping in step: everyone
 * else costs no `views.publish` (Slack allows about 100 a minute) as requests move.
 */
@Injectable()
export class HomeViewers {
  constructor(private readonly dataSource: DataSource) {}

  async opened(userId: string, email: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO slack_bot.home_viewers (user_id, email) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET email = EXCLUDED.email, opened_at = now()`,
      [userId, email.toLowerCase()],
    );
  }

  /** The Slack users with this email who have opened their Home (usually one, or none). */
  async usersWith(email: string): Promise<string[]> {
    const rows: { user_id: string }[] = await this.dataSource.query(`SELECT user_id FROM slack_bot.home_viewers WHERE email = $1`, [email.toLowerCase()]);
    return rows.map((r) => r.user_id);
  }
}
