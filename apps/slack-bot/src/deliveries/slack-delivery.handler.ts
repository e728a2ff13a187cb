import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { SlackAck, TypedEnvelope } from '@gatehouse/contracts';
import { LOGGER, type Logger } from '@gatehouse/observability';
import { DataSource } from 'typeorm';
import { SlackApp } from '../bolt/slack-app';
import { deliveryKey } from './delivery-key';

/** Deliveries are remembered for a day: Slack retries within minutes. */
const REMEMBER = "interval '1 day'";
const PRUNE_EVERY = 500;

/**
 * `slack.delivery`: a verified delivery from the gateway; the answer is Bolt's acknowledgement.
 * Each is recorded first, so a Slack retry (or a relay resending) of one already handled is
 * acknowledged and has no second effect.
 */
@Controller()
export class SlackDeliveryHandler {
  private claims = 0;

  constructor(
    private readonly slack: SlackApp,
    private readonly dataSource: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @MessagePattern('slack.delivery')
  async handle(@Payload() delivery: TypedEnvelope<'slack.delivery'>): Promise<SlackAck> {
    const key = deliveryKey(delivery.data.body);
    if (key && !(await this.claim(key))) {
      this.logger.info({ key, retryNum: delivery.data.retryNum, retryReason: delivery.data.retryReason }, 'Slack delivery already handled; acknowledged without acting again');
      return {};
    }
    const body = await this.slack.deliver(delivery.data);
    return body === undefined ? {} : { body };
  }

  /** One statement, one round trip: the acknowledgement waits for it. */
  private async claim(key: string): Promise<boolean> {
    if (++this.claims % PRUNE_EVERY === 0) {
      void this.dataSource.query(`DELETE FROM slack_bot.deliveries WHERE received_at < now() - ${REMEMBER}`).catch((error: unknown) => this.logger.warn({ err: error }, 'could not prune old Slack deliveries'));
    }
    const rows: unknown[] = await this.dataSource.query(`INSERT INTO slack_bot.deliveries (key) VALUES ($1) ON CONFLICT DO NOTHING RETURNING 1`, [key]);
    return rows.length === 1;
  }
}
