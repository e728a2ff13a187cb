import { BadRequestException, Controller, ForbiddenException, HttpCode, Inject, Post, Req, Res, UnauthorizedException, type RawBodyRequest } from '@nestjs/common';
import { holdsScope } from '@gatehouse/contracts';
import type { Request, Response } from 'express';
import { ApiTokenStore } from '../../auth/api-token.store';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config';
import { SlackForwarder } from '../slack-forwarder';
import { parseSlackBody } from '../slack-body';
import { verifySlackSignature } from '../slack-signature';

/**
 * POST /slack/relay: Slack deliveries forwarded by an intermediary on a network Slack cannot
 * reach (an Okta Workflow, an API gateway). Proven by a service token holding `slack:relay` in
 * `Authorization` — `Bearer <token>` or the bare token, as an Okta Workflows custom header
 * sends it — and, when the intermediary also forwards Slack's signature headers with the
 * untouched body, by that signature too. Form-encoded (Slack's own) and JSON bodies.
 */
@Controller('slack')
export class SlackRelayController {
  constructor(
    private readonly tokens: ApiTokenStore,
    private readonly forwarder: SlackForwarder,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Post('relay')
  @HttpCode(200)
  async relay(@Req() req: RawBodyRequest<Request>, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    const presented = (req.header('authorization') ?? '').trim().replace(/^Bearer\s+/i, '');
    if (!presented) throw new UnauthorizedException('missing relay token: send "Authorization: Bearer <token>" (or the bare token) of a service token with the slack:relay scope');
    const credential = await this.tokens.verify(presented);
    if (!credential) throw new UnauthorizedException('invalid or revoked relay token');
    if (credential.kind !== 'service' || !holdsScope(credential.scopes, 'slack:relay')) {
      throw new ForbiddenException('this token may not relay Slack deliveries: mint one with `gatehouse tokens create --service <name> --scopes slack:relay`');
    }
    const signature = req.header('x-slack-signature');
    if (signature) {
      const secret = this.config.slack.signingSecret;
      if (!secret) throw new UnauthorizedException('the delivery carries a Slack signature, but SLACK_SIGNING_SECRET is not set to check it');
      const check = verifySlackSignature(secret, { signature, timestamp: req.header('x-slack-request-timestamp') }, req.rawBody ?? Buffer.alloc(0));
      if (!check.ok) throw new UnauthorizedException(`the forwarded Slack signature does not hold: ${check.reason}`);
    }
    const body = parseSlackBody(req.header('content-type'), req.body);
    if (!body) throw new BadRequestException('not a Slack delivery: expected JSON, or a form with a JSON payload');
    return this.forwarder.forward(body, { proof: 'relay', relayTokenId: credential.tokenId }, req, res);
  }
}
