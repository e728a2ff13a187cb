import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ACCESS_EVENT_TYPES, AUDITED_PROVISIONING_EVENT_TYPES, AUDITED_SLACK_EVENT_TYPES, type Envelope } from '@gatehouse/contracts';
import { ChainAppender } from './chain-appender';

/**
 * Every access event (and the provisioning and Slack reports that belong with them) becomes one
 * audit record, appended to the hash chain exactly once. Handed a fetched batch at a time (in
 * offset order, so each request's events in order): the appender writes them in groups, and the
 * handler returns once all are committed, so the offsets move only past what is in.
 */
@Controller()
export class RecordEventHandler {
  constructor(private readonly appender: ChainAppender) {}

  @EventPattern([...ACCESS_EVENT_TYPES, ...AUDITED_PROVISIONING_EVENT_TYPES, ...AUDITED_SLACK_EVENT_TYPES], { batch: true })
  async record(@Payload() events: Envelope[]): Promise<void> {
    await this.appender.appendAll(events);
  }
}
