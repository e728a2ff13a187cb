import { GatewayTimeoutException, Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import type { MessageInput, QueryType, ReplyData } from '@gatehouse/contracts';
import { KafkaRequester, RequestTimeoutError } from '@gatehouse/messaging';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';

/** Asks another service over Kafka request/reply; a silent or failing service becomes 504/503. */
@Injectable()
export class AskService {
  constructor(
    @Inject(KafkaRequester) private readonly requester: KafkaRequester,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async ask<T extends QueryType>(type: T, subject: string, data: MessageInput<T>, { id, timeoutMs }: { id?: string; timeoutMs?: number } = {}): Promise<ReplyData<T>> {
    try {
      return await this.requester.request(type, subject, data, { timeoutMs: timeoutMs ?? this.config.queryTimeoutMs, id });
    } catch (error) {
      if (error instanceof RequestTimeoutError) throw new GatewayTimeoutException(error.message);
      throw new ServiceUnavailableException(`could not complete "${type}": ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
