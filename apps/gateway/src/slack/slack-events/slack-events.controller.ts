import { BadRequestException, Controller, HttpCode, Inject, Post, Req, Res, ServiceUnavailableException, UnauthorizedException, type RawBodyRequest } from '@nestjs/common';
import { LOGGER, type Logger } from '@gatehouse/observability';
import type { Request, Response } from 'express';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config';
import { AskService } from '../../http/ask-service';
import { parseSlackBody, slackUserOf } from '../slack-body';
import { verifySlackSignature } from '../slack-signature';

/**
 * POST /slack/events: every delivery from Slack. Proven by Slack's signature on the raw bytes
 * (or 401, and nothing is passed on), then handed to slack-bot over Kafka request/reply; its
 * acknowledgement (modal errors, options, an ephemeral text) is what Slack gets back. Slack
 * gives up after 3 s, so if slack-bot has not answered in time the gateway answers an empty
 * 200 itself and logs it.
 */
@Controller('slack')
export class SlackEventsController {
  constructor(
    private readonly ask: AskService,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
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
    if (body['type'] === 'url_verification') return { challenge: body['challenge'] };
    if (body['ssl_check'] === '1') return '';

    const retry = req.header('x-slack-retry-num');
    const started = Date.now();
    try {
      const ack = await this.ask.ask(
        'slack.delivery',
        slackUserOf(body),
        { proof: 'signature', body, ...(retry && /^\d+$/.test(retry) ? { retryNum: Number(retry), retryReason: req.header('x-slack-retry-reason') } : {}) },
        { timeoutMs: this.config.slack.ackTimeoutMs },
      );
      if (ack.body === undefined) return '';
      if (typeof ack.body === 'string') res.type('text/plain');
      return ack.body;
    } catch (error) {
      // Slack shows the person an error after 3 s; an empty 200 in time is better than that.
      this.logger.warn({ err: error, afterMs: Date.now() - started, type: body['type'] }, 'slack-bot did not acknowledge in time; answered Slack with an empty 200');
      return '';
    }
  }
}
