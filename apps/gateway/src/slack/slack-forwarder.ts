import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { acknowledgedAtOnce } from '@gatehouse/contracts';
import { KafkaRequester } from '@gatehouse/messaging';
import { LOGGER, type Logger } from '@gatehouse/observability';
import type { Request, Response } from 'express';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { AskService } from '../http/ask-service';
import { deliveryIdOf } from './slack-body';

/**
 * Hands a proven Slack delivery to slack-bot. What Slack reads nothing back from (clicks,
 * events, shortcuts) is answered 200 once Kafka has it; the rest with slack-bot's
 * acknowledgement. Slack gives up after 3 s, so past SLACK_ACK_TIMEOUT_MS the answer is an
 * empty 200, logged. Waiting is bounded in number too (SLACK_ACK_MAX_WAITING): beyond it a
 * delivery is handed on as a click is and answered with an empty 200 at once — what a late
 * acknowledgement gives Slack anyway, without holding the gateway's memory for it.
 */
@Injectable()
export class SlackForwarder {
  private waiting = 0;

  constructor(
    private readonly ask: AskService,
    @Inject(KafkaRequester) private readonly requester: KafkaRequester,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async forward(body: Record<string, unknown>, proof: { proof: 'signature' | 'relay'; relayTokenId?: string }, req: Request, res: Response): Promise<unknown> {
    if (body['type'] === 'url_verification') return { challenge: body['challenge'] };
    if (body['ssl_check'] === '1') return '';
    const retry = req.header('x-slack-retry-num');
    const retried = retry && /^\d+$/.test(retry) ? { retryNum: Number(retry), retryReason: req.header('x-slack-retry-reason') } : {};
    if (acknowledgedAtOnce(body)) {
      // Slack reads nothing from this answer: 200 once the broker holds the delivery (slack-bot
      // acts on it from there, exactly once), without waiting for slack-bot.
      await this.handOn(body, proof, retried);
      return '';
    }
    if (this.waiting >= this.config.slack.ackMaxWaiting) {
      this.logger.warn({ waiting: this.waiting, type: body['type'] }, 'too many Slack deliveries waiting for slack-bot; handed this one on without waiting (Slack gets an empty 200)');
      await this.handOn(body, proof, retried);
      return '';
    }
    const started = Date.now();
    this.waiting++;
    try {
      const ack = await this.ask.ask(
        'slack.delivery',
        deliveryIdOf(body),
        { ...proof, body, ...retried },
        { timeoutMs: this.config.slack.ackTimeoutMs },
      );
      if (ack.body === undefined) return '';
      if (typeof ack.body === 'string') res.type('text/plain');
      return ack.body;
    } catch (error) {
      // Slack shows the person an error after 3 s; an empty 200 in time is better than that.
      this.logger.warn({ err: error, afterMs: Date.now() - started, type: body['type'] }, 'slack-bot did not acknowledge in time; answered Slack with an empty 200');
      return '';
    } finally {
      this.waiting--;
    }
  }

  /** Into Kafka without waiting for slack-bot; if the broker does not take it, Slack hears 503 and sends it again. */
  private async handOn(body: Record<string, unknown>, proof: { proof: 'signature' | 'relay'; relayTokenId?: string }, retried: { retryNum?: number; retryReason?: string }): Promise<void> {
    try {
      await this.requester.tell('slack.delivery', deliveryIdOf(body), { ...proof, body, ...retried });
    } catch (error) {
      this.logger.error({ err: error, type: body['type'] }, 'could not hand a Slack delivery to Kafka; answered 503 so that Slack sends it again');
      throw new ServiceUnavailableException('Gatehouse could not take this delivery just now; Slack will send it again');
    }
  }
}
