import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { SlackAck, TypedEnvelope } from '@gatehouse/contracts';
import { SlackApp } from '../bolt/slack-app';

/** `slack.delivery`: a verified delivery from the gateway; the answer is Bolt's acknowledgement. */
@Controller()
export class SlackDeliveryHandler {
  constructor(private readonly slack: SlackApp) {}

  @MessagePattern('slack.delivery')
  async handle(@Payload() delivery: TypedEnvelope<'slack.delivery'>): Promise<SlackAck> {
    const body = await this.slack.deliver(delivery.data);
    return body === undefined ? {} : { body };
  }
}
