import {
  Inject,
  Injectable,
  Module,
  Optional,
  type DynamicModule,
  type INestApplication,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { HealthRegistry, LOGGER, Metrics, type Logger } from '@gatehouse/observability';
import { DataSource } from 'typeorm';
import { KafkaConsumerServer } from './consumer/kafka-consumer-server';
import { RethrowRpcErrorsFilter } from './consumer/rethrow-rpc-errors.filter';
import type { KafkaSecurity } from './kafka/kafka-security';
import { KafkaConnection } from './kafka/kafka-connection';
import { KafkaPublisher } from './kafka/kafka-publisher';
import { OutboxRelay } from './outbox/outbox-relay';
import { UnitOfWork } from './outbox/unit-of-work';
import { KafkaRequester } from './request-reply/kafka-requester';

export interface MessagingOptions {
  /** Service name: Kafka client id, envelope `source`, reply topic. */
  service: string;
  brokers: string[];
  /** See KafkaConnectionOptions.topicPrefix. */
  topicPrefix?: string;
  /** TLS and SASL to the brokers (config.kafka.security). */
  security?: KafkaSecurity;
  /** Topics this service produces to; created at start-up if missing. */
  produces?: readonly string[];
  /** The service's database schema: enables the transactional outbox and inbox. */
  outboxSchema?: string;
  outboxPollIntervalMs?: number;
  /** Enables request/reply calls from this service. */
  requester?: boolean;
}

const OPTIONS = Symbol('MESSAGING_OPTIONS');

@Injectable()
class MessagingLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(OPTIONS) private readonly options: MessagingOptions,
    private readonly connection: KafkaConnection,
    private readonly health: HealthRegistry,
    @Optional() @Inject(OutboxRelay) private readonly relay: OutboxRelay | null,
    @Optional() @Inject(KafkaRequester) private readonly requester: KafkaRequester | null,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.health.register('kafka', () => this.connection.ping(), 3000);
    await this.connection.ensureTopics(this.options.produces ?? []);
    await this.requester?.start();
    this.relay?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay?.stop();
    await this.requester?.stop();
    await this.connection.close();
  }
}

/**
 * Kafka wiring for a service: connection and publisher always; the outbox relay and the unit
 * of work only with `outboxSchema`, the requester only with `requester`. What is not
 * configured is not provided at all, so a handler that needs it stops the service at start-up
 * (naming it, see startService) instead of failing on its first message.
 */
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: OPTIONS, useValue: options },
      {
        provide: KafkaConnection,
        inject: [LOGGER],
        useFactory: (logger: Logger) => new KafkaConnection({ clientId: options.service, brokers: options.brokers, topicPrefix: options.topicPrefix, security: options.security, logger }),
      },
      {
        provide: KafkaPublisher,
        inject: [KafkaConnection, Metrics],
        useFactory: (connection: KafkaConnection, metrics: Metrics) => new KafkaPublisher(connection, metrics),
      },
      MessagingLifecycle,
    ];
    const exported: unknown[] = [KafkaConnection, KafkaPublisher];
    if (options.outboxSchema) {
      const schema = options.outboxSchema;
      providers.push(
        {
          provide: OutboxRelay,
          inject: [{ token: DataSource, optional: true }, KafkaPublisher, LOGGER],
          useFactory: (dataSource: DataSource | undefined, publisher: KafkaPublisher, logger: Logger) =>
            new OutboxRelay(requireDataSource(dataSource), schema, publisher, logger.child({ component: 'outbox-relay' }), { pollIntervalMs: options.outboxPollIntervalMs }),
        },
        {
          provide: UnitOfWork,
          inject: [{ token: DataSource, optional: true }, OutboxRelay],
          useFactory: (dataSource: DataSource | undefined, relay: OutboxRelay) => new UnitOfWork(requireDataSource(dataSource), schema, relay),
        },
      );
      exported.push(OutboxRelay, UnitOfWork);
    }
    if (options.requester) {
      providers.push({
        provide: KafkaRequester,
        inject: [KafkaConnection, LOGGER],
        useFactory: (connection: KafkaConnection, logger: Logger) => new KafkaRequester(connection, options.service, logger.child({ component: 'requester' })),
      });
      exported.push(KafkaRequester);
    }
    return { module: MessagingModule, global: true, providers, exports: exported as Provider[] };
  }
}

function requireDataSource(dataSource: DataSource | undefined): DataSource {
  if (!dataSource) throw new Error('MessagingModule: outboxSchema is set but no global DataSource provider exists (import the persistence module first)');
  return dataSource;
}

export interface ConsumerOptions {
  /** Consumer group; the service name by default. */
  groupId?: string;
  maxAttempts?: number;
  retryBaseMs?: number;
  /** Messages handled at once across partitions (default 16; see KafkaConsumerServerOptions). */
  maxInFlight?: number;
}

/**
 * Attaches the Kafka consumer to a Nest app: its `@EventPattern`/`@MessagePattern` handlers
 * receive, from the topics their message types live on (no list to keep in step by hand).
 */
export function connectKafkaConsumer(app: INestApplication, service: string, options: ConsumerOptions = {}): void {
  const server = new KafkaConsumerServer({
    connection: app.get(KafkaConnection),
    logger: app.get<Logger>(LOGGER),
    metrics: app.get(Metrics),
    source: service,
    ...options,
    groupId: options.groupId ?? service,
  });
  // Nest builds the handlers' exception filters when the microservice is connected, so the
  // filter must be in place before, and shared with the app.
  app.useGlobalFilters(new RethrowRpcErrorsFilter(app.getHttpAdapter()));
  app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
}
