import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { createEnvelope, UnitOfWork } from '@gatehouse/messaging';
import type { Actor, BeginLinkReply, CompleteLinkReply } from '@gatehouse/contracts';
import { DataSource } from 'typeorm';
import { SERVICE } from '../config';

const digest = (token: string) => createHash('sha256').update(token).digest('hex');
const TOKEN_MINUTES = 10;
/**
 * How long a Slack user's link (or its absence) is remembered: every delivery asks who is acting.
 * Linking and unlinking in this process take effect at once; another replica sees them within this.
 */
const LINK_CACHE_MS = 10_000;

export interface IdentityLink {
  email: string;
  issuer: string;
  subject: string;
}

/**
 * Slack accounts linked to Okta accounts. A link is made only by signing in with Okta through
 * the gateway, started by a one-time token that slack-bot gave the Slack user (so the Slack side
 * is proven by Slack, the Okta side by Okta's signed ID token). Linking and unlinking are audited.
 */
@Injectable()
export class IdentityLinks {
  private readonly cache = new Map<string, { link: IdentityLink | undefined; until: number }>();
  /** Email → linked Slack user, remembered as long: every DM to an approver asks it. */
  private readonly byEmail = new Map<string, { slackUserId: string | undefined; until: number }>();

  constructor(
    private readonly dataSource: DataSource,
    @Inject(UnitOfWork) private readonly uow: UnitOfWork,
  ) {}

  async linkOf(slackUserId: string): Promise<IdentityLink | undefined> {
    const cached = this.cache.get(slackUserId);
    if (cached && cached.until > Date.now()) return cached.link;
    const [row]: IdentityLink[] = await this.dataSource.query(`SELECT email, issuer, subject FROM slack_bot.identity_links WHERE slack_user_id = $1`, [slackUserId]);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(slackUserId, { link: row, until: Date.now() + LINK_CACHE_MS });
    return row;
  }

  /** The Slack user linked to this (Okta) email, if any. */
  async slackUserOf(email: string): Promise<string | undefined> {
    const key = email.toLowerCase();
    const cached = this.byEmail.get(key);
    if (cached && cached.until > Date.now()) return cached.slackUserId;
    const [row]: { slack_user_id: string }[] = await this.dataSource.query(`SELECT slack_user_id FROM slack_bot.identity_links WHERE email = $1 ORDER BY linked_at DESC LIMIT 1`, [key]);
    if (this.byEmail.size > 10_000) this.byEmail.clear();
    this.byEmail.set(key, { slackUserId: row?.slack_user_id, until: Date.now() + LINK_CACHE_MS });
    return row?.slack_user_id;
  }

  /** A new one-time token for this Slack user to start signing in with (ten minutes). */
  async issueToken(slackUserId: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.dataSource.query(`DELETE FROM slack_bot.link_tokens WHERE expires_at < now() - interval '1 day'`);
    await this.dataSource.query(`INSERT INTO slack_bot.link_tokens (token_hash, slack_user_id, expires_at) VALUES ($1, $2, now() + $3 * interval '1 minute')`, [digest(token), slackUserId, TOKEN_MINUTES]);
    return token;
  }

  async begin(token: string): Promise<BeginLinkReply> {
    const [row]: { slack_user_id: string; usable: boolean; used: boolean }[] = await this.dataSource.query(
      `SELECT slack_user_id, expires_at > now() AS usable, used_at IS NOT NULL AS used FROM slack_bot.link_tokens WHERE token_hash = $1`,
      [digest(token)],
    );
    const refusal = refusalOf(row);
    return refusal ? { ok: false, message: refusal } : { ok: true, slackUserId: (row as { slack_user_id: string }).slack_user_id };
  }

  /** Uses the token (once) and links its Slack user to the Okta user who signed in. */
  async complete(token: string, who: IdentityLink & { displayName?: string }, slackEmail: (slackUserId: string) => Promise<string | undefined>): Promise<CompleteLinkReply> {
    const peek = await this.begin(token);
    if (!peek.ok) return peek;
    // Asked of Slack before the transaction: no row stays locked across a Web API call.
    const profileEmail = (await slackEmail(peek.slackUserId).catch(() => undefined))?.toLowerCase();
    return this.uow.run(async (tx) => {
      const [row]: { slack_user_id: string; usable: boolean; used: boolean }[] = await tx.manager.query(
        `SELECT slack_user_id, expires_at > now() AS usable, used_at IS NOT NULL AS used FROM slack_bot.link_tokens WHERE token_hash = $1 FOR UPDATE`,
        [digest(token)],
      );
      const refusal = refusalOf(row);
      if (refusal || !row) return { ok: false as const, message: refusal ?? 'unknown link' };
      const slackUserId = row.slack_user_id;
      const email = who.email.toLowerCase();
      await tx.manager.query(`UPDATE slack_bot.link_tokens SET used_at = now() WHERE token_hash = $1`, [digest(token)]);
      await tx.manager.query(
        `INSERT INTO slack_bot.identity_links (slack_user_id, email, issuer, subject) VALUES ($1, $2, $3, $4)
         ON CONFLICT (slack_user_id) DO UPDATE SET email = EXCLUDED.email, issuer = EXCLUDED.issuer, subject = EXCLUDED.subject, linked_at = now()`,
        [slackUserId, email, who.issuer, who.subject],
      );
      const actor: Actor = { kind: 'person', channel: 'slack', person: { email, slackUserId, ...(who.displayName ? { displayName: who.displayName } : {}) }, identity: 'linked' };
      await tx.publish(
        createEnvelope('identity.linked', slackUserId, { actor, slackUserId, email, issuer: who.issuer, subject: who.subject, ...(profileEmail && profileEmail !== email ? { slackEmail: profileEmail } : {}) }, { source: SERVICE }),
      );
      return { ok: true as const, slackUserId, email };
    }).finally(() => {
      this.cache.clear();
      this.byEmail.clear();
    });
  }

  /** Removes the link; false when there was none. */
  async unlink(slackUserId: string): Promise<boolean> {
    this.cache.delete(slackUserId);
    this.byEmail.clear();
    return this.uow.run(async (tx) => {
      const [row]: { email: string }[] = await tx.manager.query(`WITH gone AS (DELETE FROM slack_bot.identity_links WHERE slack_user_id = $1 RETURNING email) SELECT email FROM gone`, [slackUserId]);
      if (!row) return false;
      const actor: Actor = { kind: 'person', channel: 'slack', person: { email: row.email, slackUserId }, identity: 'linked' };
      await tx.publish(createEnvelope('identity.unlinked', slackUserId, { actor, slackUserId, email: row.email }, { source: SERVICE }));
      return true;
    }).finally(() => {
      this.cache.delete(slackUserId);
      this.byEmail.clear();
    });
  }
}

function refusalOf(row: { usable: boolean; used: boolean } | undefined): string | undefined {
  if (!row) return 'This link is not one Gatehouse gave out. Use "Link your account" in Gatehouse\'s Home in Slack to get a new one.';
  if (row.used) return 'This link was used already. Use "Link your account" in Gatehouse\'s Home in Slack to get a new one.';
  if (!row.usable) return `This link is more than ${TOKEN_MINUTES} minutes old. Use "Link your account" in Gatehouse's Home in Slack to get a new one.`;
  return undefined;
}
