// Child process of the outbox test: commits state and an outbox row, then dies at once,
// before its relay can publish — the crash window the outbox exists for.
import { randomUUID } from 'node:crypto';
import { createLogger } from '@gatehouse/observability';
import { DataSource } from 'typeorm';
import { createEnvelope } from '../lib/envelope-factory';
import { OutboxRelay } from '../lib/outbox/outbox-relay';
import { UnitOfWork } from '../lib/outbox/unit-of-work';
import { SCHEMA } from './messaging-fixture';

async function main(): Promise<void> {
  const env = (name: string): string => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is required`);
    return value;
  };
  const logger = createLogger({ service: 'crash-test', level: 'silent' });
  const dataSource = new DataSource({ type: 'postgres', url: env('TEST_DATABASE_URL') });
  await dataSource.initialize();
  // The process dies the moment the relay tries to publish: after the commit, before Kafka.
  const dyingPublisher = {
    publish: async (): Promise<void> => {
      process.kill(process.pid, 'SIGKILL');
    },
  };
  const relay = new OutboxRelay(dataSource, SCHEMA, dyingPublisher, logger);
  relay.start();
  await relay.idle(); // the start-up sweep found no backlog, so the fast path is armed
  const uow = new UnitOfWork(dataSource, SCHEMA, relay);
  const subject = env('TEST_SUBJECT');
  await uow.run(async (tx) => {
    await tx.publish(
      createEnvelope(
        'access.requested',
        subject,
        {
          requestId: subject,
          requester: { email: 'crash@example.com' },
          flow: 'prod-db',
          target: 'readonly',
          durationSeconds: 600,
          reason: 'crash test',
          actor: { kind: 'person', channel: 'api', person: { email: 'crash@example.com' } },
          status: 'PENDING',
          requestedAt: new Date().toISOString(),
        },
        { source: 'crash-test', id: randomUUID() },
      ),
    );
  });
  throw new Error('unreachable: the publisher should have killed the process');
}

void main();
