import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { createEnvelope, UnitOfWork } from '@gatehouse/messaging';
import type { Actor, BeginLinkReply, CompleteLinkReply } from '@gatehouse/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { SERVICE } from '../config';

const digest = (token: string) => createHash('sha256').update(token).digest('hex');
const TOKEN_MINUTES = 10;
type Queryable = Pick<EntityManager, 'query'>;
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
    const row = await this.tokenRow(this.dataSource.manager, token);
    const refusal = refusalOf(row);
    return refusal ? { ok: false, message: refusal } : { ok: true, slackUserId: (row as TokenRow).slack_user_id };
  }

  /**
   * Uses the token (once) and links its Slack user to the Okta user who signed in. Asked again
   * for the same sign-in (a retried command whose first commit's answer was lost), it answers as
   * the first time did: the token is used, but by exactly this link.
   */
  async complete(token: string, who: IdentityLink & { displayName?: string }, slackEmail: (slackUserId: string) => Promise<string | undefined>): Promise<CompleteLinkReply> {
    const peek = await this.tokenRow(this.dataSource.manager, token);
    const done = await this.doneAlready(this.dataSource.manager, peek, who);
    if (done) return done;
    const refusal = refusalOf(peek);
    if (refusal || !peek) return { ok: false, message: refusal ?? 'unknown link' };
    // Asked of Slack before the transaction: no row stays locked across a Web API call.
    const profileEmail = (await slackEmail(peek.slack_user_id).catch(() => undefined))?.toLowerCase();
    return this.uow.run(async (tx): Promise<CompleteLinkReply> => {
      const row = await this.tokenRow(tx.manager, token, 'FOR UPDATE');
      const raced = await this.doneAlready(tx.manager, row, who);
      if (raced) return raced;
      const refusal = refusalOf(row);
      if (refusal || !row) return { ok: false, message: refusal ?? 'unknown link' };
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
      return { ok: true, slackUserId, email };
    }).finally(() => {
      this.cache.clear();
      this.byEmail.clear();
    });
  }

  private async tokenRow(db: Queryable, token: string, lock = ''): Promise<TokenRow | undefined> {
    const [row]: TokenRow[] = await db.query(
      `SELECT slack_user_id, expires_at > now() AS usable, used_at IS NOT NULL AS used FROM slack_bot.link_tokens WHERE token_hash = $1 ${lock}`,
      [digest(token)],
    );
    return row;
  }

  /** The first answer again when this (still fresh) token was used to link this very Okta user. */
  private async doneAlready(db: Queryable, row: TokenRow | undefined, who: IdentityLink): Promise<CompleteLinkReply | undefined> {
    if (!row?.used || !row.usable) return undefined;
    const [link]: IdentityLink[] = await db.query(`SELECT email, issuer, subject FROM slack_bot.identity_links WHERE slack_user_id = $1`, [row.slack_user_id]);
    const same = link && link.issuer === who.issuer && link.subject === who.subject && link.email === who.email.toLowerCase();
    return same ? { ok: true, slackUserId: row.slack_user_id, email: link.email } : undefined;
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

interface TokenRow {
  slack_user_id: string;
  usable: boolean;
  used: boolean;
}

function refusalOf(row: TokenRow | undefined): string | undefined {
  if (!row) return 'This link is not one Gatehouse gave out. Use "Link your account" in Gatehouse\'s Home in Slack to get a new one.';
  if (row.used) return 'This link was used already. Use "Link your account" in Gatehouse\'s Home in Slack to get a new one.';
  if (!row.usable) return `This link is more than ${TOKEN_MINUTES} minutes old. Use "Link your account" in Gatehouse's Home in Slack to get a new one.`;
  return undefined;
}
