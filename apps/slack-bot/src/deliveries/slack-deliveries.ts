import { Inject, Injectable } from '@nestjs/common';
import { acknowledgedAtOnce, type SlackDelivery } from '@gatehouse/contracts';
import { releaseDeadline } from '@gatehouse/messaging';
import { LOGGER, type Logger } from '@gatehouse/observability';
import { DataSource } from 'typeorm';
import { SlackApp } from '../bolt/slack-app';
import type { AckBody } from '../bolt/kafka-receiver';
import { deliveryKey } from './delivery-key';

/** Deliveries are remembered for a day: Slack retries within minutes. */
const REMEMBER = "interval '1 day'";
const PRUNE_EVERY = 500;

/**
 * Every delivery from Slack, however it came (the gateway over Kafka, or Socket Mode), is
 * taken here: acknowledged at once where Slack reads nothing from the ack (see
 * acknowledgedAtOnce), otherwise with its listener's ack. Each is recorded before it is acted
 * on, so a Slack retry, a relay resending, or the same envelope reaching a second replica has
 * no second effect.
 */
@Injectable()
export class SlackDeliveries {
  private claims = 0;

  constructor(
    private readonly slack: SlackApp,
    private readonly dataSource: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The acknowledgement's body for Slack: undefined is an empty ack. */
  async receive(delivery: SlackDelivery): Promise<AckBody> {
    if (acknowledgedAtOnce(delivery.body)) {
      // Slack has its answer; what follows is not on the caller's clock.
      releaseDeadline();
      void this.act(delivery).catch((error: unknown) => this.logger.error({ err: error }, 'a Slack delivery failed'));
      return undefined;
    }
    return this.act(delivery);
  }

  /** Records the delivery, then hands it to Bolt: the listener's ack, or nothing for a delivery seen before. */
  private async act(delivery: SlackDelivery): Promise<AckBody> {
    const key = deliveryKey(delivery.body);
    if (key && !(await this.claim(key))) {
      this.logger.info({ key, retryNum: delivery.retryNum, retryReason: delivery.retryReason, proof: delivery.proof }, 'Slack delivery already handled; acknowledged without acting again');
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
