import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { BeginLinkReply, CompleteLinkReply, TypedEnvelope } from '@gatehouse/contracts';
import { LOGGER, type Logger } from '@gatehouse/observability';
import { SlackApp } from '../bolt/slack-app';
import { DmChannels } from '../identity/dm-channels';
import { HomePublisher } from '../home/home-publisher';
import { SlackIdentity } from '../identity/slack-identity';
import { IdentityLinks } from './identity-links';

/**
 * The gateway's half of linking: `identity.link.begin` (may this token start a sign-in?) and
 * `identity.link.complete` (Okta says who signed in: link them). Once linked, the person hears
 * it in Slack and their Home shows it.
 */
@Controller()
export class LinkHandler {
  constructor(
    private readonly links: IdentityLinks,
    private readonly identity: SlackIdentity,
    private readonly slack: SlackApp,
    private readonly home: HomePublisher,
    private readonly dms: DmChannels,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @MessagePattern('identity.link.begin')
  begin(@Payload() query: TypedEnvelope<'identity.link.begin'>): Promise<BeginLinkReply> {
    return this.links.begin(query.data.token);
  }

  @MessagePattern('identity.link.complete')
  async complete(@Payload() command: TypedEnvelope<'identity.link.complete'>): Promise<CompleteLinkReply> {
    const { token, issuer, subject, email, displayName } = command.data;
    const client = this.slack.client;
    const reply = await this.links.complete(token, { issuer, subject, email, ...(displayName ? { displayName } : {}) }, async (userId) => (client ? this.identity.profileEmailOf(client, userId) : undefined));
    if (reply.ok && client) {
      this.logger.info({ slackUserId: reply.slackUserId }, 'Slack account linked to an Okta account');
      await Promise.all([
        this.dms.post(client, reply.slackUserId, 'account linked', { text: `:white_check_mark: Your Slack account is now linked to your Okta account: Gatehouse knows you as ${reply.email}. Unlink it from Gatehouse's Home.` }),
        this.home.publish(client, reply.slackUserId),
      ]).catch((error: unknown) => this.logger.warn({ err: error }, 'linked, but could not tell the person in Slack'));
    }
    return reply;
  }
}
