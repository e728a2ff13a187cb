import { BadRequestException, Controller, HttpCode, Inject, Post, Req, Res, ServiceUnavailableException, UnauthorizedException, type RawBodyRequest } from '@nestjs/common';
import type { Request, Response } from 'express';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config';
import { parseSlackBody } from '../slack-body';
import { SlackForwarder } from '../slack-forwarder';
import { verifySlackSignature } from '../slack-signature';

/**
 * POST /slack/events: every delivery from Slack. Proven by Slack's signature on the raw bytes
 * (or 401, and nothing is passed on), then handed to slack-bot over Kafka request/reply; its
 * acknowledgement (modal errors, options, an ephemeral text) is what Slack gets back.
 */
@Controller('slack')
export class SlackEventsController {
  constructor(
    private readonly forwarder: SlackForwarder,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Post('events')
  @HttpCode(200)
  async events(@Req() req: RawBodyRequest<Request>, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    const secret = this.config.slack.signingSecret;
    if (!secret) throw new ServiceUnavailableException("Slack is not set up: set SLACK_SIGNING_SECRET to your Slack app's signing secret (Basic Information → App Credentials)");
    const check = verifySlackSignature(
      secret,
      { signature: req.header('x-slack-signature'), timestamp: req.header('x-slack-request-timestamp') },
      req.rawBody ?? Buffer.alloc(0),
    );
    if (!check.ok) throw new UnauthorizedException(`not a request from Slack: ${check.reason}`);
    const body = parseSlackBody(req.header('content-type'), req.body);
    if (!body) throw new BadRequestException('not a Slack delivery: expected JSON, or a form with a JSON payload');
    return this.forwarder.forward(body, { proof: 'signature' }, req, res);
  }
}
