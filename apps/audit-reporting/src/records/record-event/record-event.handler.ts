import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ACCESS_EVENT_TYPES, AUDITED_PROVISIONING_EVENT_TYPES, AUDITED_SLACK_EVENT_TYPES, type Envelope } from '@gatehouse/contracts';
import { ChainAppender } from './chain-appender';

/**
 * Every access event (and the provisioning and Slack reports that belong with them) becomes one
 * audit record, appended to the hash chain exactly once. The handler returns once its record is
 * committed, so the consumer moves on to the request's next event only after this one is in.
 */
@Controller()
export class RecordEventHandler {
  constructor(private readonly appender: ChainAppender) {}

  @EventPattern([...ACCESS_EVENT_TYPES, ...AUDITED_PROVISIONING_EVENT_TYPES, ...AUDITED_SLACK_EVENT_TYPES])
  async record(@Payload() event: Envelope): Promise<void> {
    await this.appender.append(event);
  }
}
