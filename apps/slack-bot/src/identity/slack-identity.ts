import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@gatehouse/contracts';
import type { WebClient } from '@slack/web-api';
import { SLACK_BOT_CONFIG, type ServiceConfig } from '../config';
import { IdentityLinks } from '../linking/identity-links';
import { withLinkButton } from '../linking/link-button';
import { OneCallAtATime } from '../slack-api/one-call-at-a-time';

/** People remembered at most, each way (a cache, not a directory). */
const MAX_CACHED = 10_000;

export type SlackPerson = { ok: true; principal: Principal; email: string; linked: boolean } | { ok: false; message: string };

/** How the delivery being handled reached us: straight from Slack, or through the relay. */
export interface Via {
  relayTokenId?: string;
}

/** Reads what the Kafka receiver put in Bolt's context. */
export function viaOf(context: Record<string, unknown>): Via {
  return context['gatehouseProof'] === 'relay' ? { relayTokenId: String(context['gatehouseRelayToken'] ?? '') } : {};
}

/**
 * The person acting in Slack: the user of the verified delivery, never a typed name. Their
 * email is the one their linked Okta account signed in with, if they linked it (that wins);
 * else it comes from SLACK_USER_OVERRIDES or Slack (`users.info`, cached). It becomes a Slack
 * principal for approval's policy, saying which of the two proved it.
 */
@Injectable()
export class SlackIdentity {
  private readonly cache = new Map<string, { email: string; name?: string; until: number }>();
  private readonly byEmail = new Map<string, { userId: string | undefined; until: number }>();
  private readonly lookingUp = new OneCallAtATime<string | undefined>();

  constructor(
    @Inject(SLACK_BOT_CONFIG) private readonly config: ServiceConfig,
    private readonly links: IdentityLinks,
  ) {}

  async of(client: WebClient, userId: string, via: Via = {}): Promise<SlackPerson> {
    const link = await this.links.linkOf(userId);
    const found = link ? { email: link.email, name: (await this.lookUp(client, userId).catch(() => undefined))?.name } : await this.lookUp(client, userId);
    if (!found) {
      const linking = this.config.linkUrl ? ' Link your Slack account to your Okta account with "Link your account" in Gatehouse\'s Home, or ask' : ' Ask';
      return {
        ok: false,
        message: `Gatehouse cannot tell who you are: your Slack account (${userId}) shows no email it can match.${linking} your Gatehouse admin to add \`${userId}=<your work email>\` to SLACK_USER_OVERRIDES.`,
      };
    }
    return {
      ok: true,
      email: found.email,
      linked: Boolean(link),
      principal: {
        actor: {
          kind: 'person',
          channel: via.relayTokenId !== undefined ? 'relay' : 'slack',
          person: { email: found.email, slackUserId: userId, ...(found.name ? { displayName: found.name } : {}) },
          ...(via.relayTokenId ? { tokenId: via.relayTokenId } : {}),
          identity: link ? 'linked' : 'slack-profile',
        },
        scopes: [],
      },
    };
  }

  /** Whether "Link your account" is offered (GATEHOUSE_PUBLIC_URL set). */
  get linkOffered(): boolean {
    return Boolean(this.config.linkUrl);
  }

  /** A message for the person, with the "Link your account" button when it tells them to link. */
  say(text: string): { text: string; blocks?: Record<string, unknown>[] } {
    return withLinkButton(text, this.linkOffered);
  }

  /** The email on the Slack profile (or override), whatever link there is. */
  async profileEmailOf(client: WebClient, userId: string): Promise<string | undefined> {
    return (await this.lookUp(client, userId))?.email;
  }

  /**
   * The Slack user with this email (cached), or undefined when Slack has none (`users_not_found`).
   * Other errors are thrown: they may pass.
   */
  async userIdOf(client: WebClient, email: string): Promise<string | undefined> {
    return (await this.userOf(client, email)).userId;
  }

  /**
   * As userIdOf, saying too whether the answer is news: Slack was asked just now and said other
   * than it last did (or for the first time). "No such user" is worth a log line then, not each
   * time the cache runs out.
   */
  async userOf(client: WebClient, email: string): Promise<{ userId: string | undefined; news: boolean }> {
    const key = email.toLowerCase();
    for (const [userId, address] of this.config.slack.userOverrides) if (address.toLowerCase() === key) return { userId, news: false };
    // Someone who linked their account is found by the email they signed in to Okta with.
    const linked = await this.links.slackUserOf(key);
    if (linked) return { userId: linked, news: false };
    const cached = this.byEmail.get(key);
    if (cached && cached.until > Date.now()) return { userId: cached.userId, news: false };
    const { value: userId, made } = await this.lookingUp.run(key, async () => {
      const answer = await client.users.lookupByEmail({ email }).catch((error: unknown) => {
        if ((error as { data?: { error?: string } }).data?.error === 'users_not_found') return undefined;
        throw error;
      });
      // "No such user" is remembered too: a big approver group is not looked up again each request.
      const found = answer?.user?.id;
      if (this.byEmail.size >= MAX_CACHED) this.byEmail.clear();
      this.byEmail.set(key, { userId: found, until: Date.now() + this.config.slack.userCacheTtlMs });
      return found;
    });
    // Whoever joined a look-up already under way brings no news.
    return { userId, news: made && (!cached || cached.userId !== userId) };
  }

  private async lookUp(client: WebClient, userId: string): Promise<{ email: string; name?: string } | undefined> {
    const override = this.config.slack.userOverrides.get(userId);
    if (override) return { email: override };
    const cached = this.cache.get(userId);
    if (cached && cached.until > Date.now()) return cached;
    const answer = await client.users.info({ user: userId }).catch(() => undefined);
    const email = answer?.user?.profile?.email;
    if (!email) return undefined;
    const name = answer?.user?.real_name || answer?.user?.profile?.real_name || undefined;
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(userId, { email, name, until: Date.now() + this.config.slack.userCacheTtlMs });
    return { email, name };
  }
}
