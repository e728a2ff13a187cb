import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { SlackAck, TypedEnvelope } from '@gatehouse/contracts';
import { SlackDeliveries } from './slack-deliveries';

/** `slack.delivery`: a delivery the gateway verified; the answer is what the gateway tells Slack. */
@Controller()
export class SlackDeliveryHandler {
  constructor(private readonly deliveries: SlackDeliveries) {}

  @MessagePattern('slack.delivery')
  async handle(@Payload() delivery: TypedEnvelope<'slack.delivery'>): Promise<SlackAck> {
    const body = await this.deliveries.receive(delivery.data);
    return body === undefined ? {} : { body };
  }
}
