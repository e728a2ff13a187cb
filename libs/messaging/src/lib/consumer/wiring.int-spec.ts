import { Controller, Inject, Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS, type TypedEnvelope } from '@gatehouse/contracts';
import { ObservabilityModule, createLogger } from '@gatehouse/observability';
import { testKafkaBrokers, uniqueSuffix, waitFor } from '@gatehouse/testing';
import { randomUUID } from 'node:crypto';
import { createEnvelope } from '../envelope-factory';
import { KafkaConnection } from '../kafka/kafka-connection';
import { KafkaPublisher, outgoing } from '../kafka/kafka-publisher';
import { MessagingModule } from '../messaging.module';
import { UnitOfWork } from '../outbox/unit-of-work';
import { startService } from '../start-service';
import { UnknownHandlerPatternError } from './subscriptions';

const logger = createLogger({ service: 'wiring-test', level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
const received: string[] = [];

/**
 * Handles types on topics no one lists anywhere: subscribed because the handlers exist. The
 * array pattern (as audit-reporting's) spans a second topic.
 */
@Controller()
class GrantedHandler {
  @EventPattern('provisioning.granted')
  granted(@Payload() event: TypedEnvelope<'provisioning.granted'>): void {
    received.push(event.data.grantId);
  }

  @EventPattern(['access.cancelled', 'access.timed_out'])
  ended(@Payload() event: TypedEnvelope<'access.cancelled' | 'access.timed_out'>): void {
    received.push(event.id);
  }
}

@Controller()
class TeleportHandler {
  @EventPattern('access.teleported')
  teleported(): void {}
}

/** Needs the unit of work, in a service configured without an outbox. */
@Controller()
class NeedsUnitOfWork {
  constructor(@Inject(UnitOfWork) private readonly uow: UnitOfWork) {}

  @EventPattern('access.requested')
  requested(): Promise<unknown> {
    return this.uow.run(async () => undefined);
  }
}

function moduleWith(controller: new (...args: never[]) => unknown, topicPrefix: string): DynamicModule {
  @Module({})
  class WiringTestModule {}
  return {
    module: WiringTestModule,
    imports: [ObservabilityModule.forRoot({ service: 'wiring-test', logger }), MessagingModule.forRoot({ service: 'wiring-test', brokers: testKafkaBrokers(), topicPrefix })],
    controllers: [controller],
  };
}

describe('a service consumes what its handlers take, and stops at start-up when wired wrong', () => {
  const started: INestApplication[] = [];
  afterAll(async () => {
    for (const app of started) await app.close();
  });

  it('subscribes to the topic of every handler type, with no list to keep', async () => {
    const topicPrefix = `wiring${uniqueSuffix()}.`;
    started.push(await startService({ service: 'wiring-test', module: moduleWith(GrantedHandler, topicPrefix), logger, port: 0 }));
    const connection = new KafkaConnection({ clientId: 'wiring-test', brokers: testKafkaBrokers(), topicPrefix, logger });
    try {
      const grantId = randomUUID();
      const requestId = randomUUID();
      const cancelled = createEnvelope('access.cancelled', requestId, { requestId, actor: { kind: 'system', channel: 'system', component: 'timer' }, status: 'CANCELLED' }, { source: 'test' });
      await new KafkaPublisher(connection).publish([
        outgoing(createEnvelope('provisioning.granted', requestId, { requestId, grantId, grantedAt: new Date().toISOString() }, { source: 'test' })),
        outgoing(cancelled),
      ]);
      await waitFor(() => received.includes(grantId), { what: `the handler of provisioning.granted (on ${TOPICS.provisioningEvents}) to receive it` });
      await waitFor(() => received.includes(cancelled.id), { what: `the array-pattern handler of access.cancelled (on ${TOPICS.accessEvents}) to receive it` });
    } finally {
      await connection.close();
    }
  });

  it('refuses to start with a handler for a type the contracts do not know', async () => {
    const start = startService({ service: 'wiring-test', module: moduleWith(TeleportHandler, `wiring${uniqueSuffix()}.`), logger, port: 0 });
    await expect(start).rejects.toThrow(UnknownHandlerPatternError);
    await expect(start).rejects.toThrow('wiring-test cannot start: it has handlers for "access.teleported", which is not a message type of @gatehouse/contracts');
  });

  it('refuses to start when a handler needs a provider nobody provides, naming both', async () => {
    const start = startService({ service: 'wiring-test', module: moduleWith(NeedsUnitOfWork, `wiring${uniqueSuffix()}.`), logger, port: 0 });
    await expect(start).rejects.toThrow(
      "wiring-test cannot start: NeedsUnitOfWork needs UnitOfWork, which nothing provides; it is provided only when MessagingModule.forRoot is given outboxSchema",
    );
  });
});
