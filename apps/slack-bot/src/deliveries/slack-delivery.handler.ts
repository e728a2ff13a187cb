import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { SlackAck, SlackDelivery, TypedEnvelope } from '@gatehouse/contracts';
import { releaseDeadline } from '@gatehouse/messaging';
import { LOGGER, type Logger } from '@gatehouse/observability';
import { DataSource } from 'typeorm';
import { SlackApp } from '../bolt/slack-app';
import type { AckBody } from '../bolt/kafka-receiver';
import { acknowledgedAtOnce } from './acknowledged-at-once';
import { deliveryKey } from './delivery-key';

/** Deliveries are remembered for a day: Slack retries within minutes. */
const REMEMBER = "interval '1 day'";
const PRUNE_EVERY = 500;

/**
 * `slack.delivery`: a verified delivery from the gateway; the answer is Bolt's acknowledgement,
 * or an empty one at once where Slack reads nothing from it (see acknowledgedAtOnce). Each is
 * recorded before it is acted on, so a Slack retry (or a relay resending) of one already handled
 * has no second effect.
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
    if (acknowledgedAtOnce(delivery.data.body)) {
      // Slack has its answer; what follows is not on the gateway's clock.
      releaseDeadline();
      void this.act(delivery.data).catch((error: unknown) => this.logger.error({ err: error }, 'a Slack delivery failed'));
      return {};
    }
    const body = await this.act(delivery.data);
    return body === undefined ? {} : { body };
  }

  /** Records the delivery, then hands it to Bolt: the listener's ack, or nothing for a delivery seen before. */
  private async act(delivery: SlackDelivery): Promise<AckBody> {
    const key = deliveryKey(delivery.body);
    if (key && !(await this.claim(key))) {
      this.logger.info({ key, retryNum: delivery.retryNum, retryReason: delivery.retryReason }, 'Slack delivery already handled; acknowledged without acting again');
      return undefined;
    }
    return this.slack.deliver(delivery);
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
