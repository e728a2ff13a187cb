import { randomUUID } from 'node:crypto';
import { TOPICS, type Envelope } from '@gatehouse/contracts';
import { createLogger } from '@gatehouse/observability';
import { testKafkaBrokers, uniqueSuffix, waitFor } from '@gatehouse/testing';
import { createEnvelope } from '../envelope-factory';
import { KafkaConnection } from '../kafka/kafka-connection';
import { KafkaPublisher } from '../kafka/kafka-publisher';
import { KafkaConsumerServer } from './kafka-consumer-server';

const logger = createLogger({ service: 'offsets-test', level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });

function cancelled(): Envelope {
  const requestId = randomUUID();
  return createEnvelope('access.cancelled', requestId, { requestId, actor: { kind: 'person', channel: 'api', person: { email: 'ada@example.com' } }, status: 'CANCELLED' }, { source: 'test' });
}

/** A consumer in `groupId` that records the ids of the `access.cancelled` events it is given. */
async function consumerIn(connection: KafkaConnection, groupId: string, seen: string[]): Promise<KafkaConsumerServer> {
  const server = new KafkaConsumerServer({ connection, groupId, source: 'offsets-test', logger });
  server.addHandler('access.cancelled', async (event: Envelope) => void seen.push(event.id), true);
  await new Promise<void>((resolve, reject) => void server.listen((error?: unknown) => (error ? reject(error) : resolve())));
  return server;
}

describe('offset commits on the real broker', () => {
  const topicPrefix = `offsets${uniqueSuffix()}.`;
  const groupId = `offsets-${uniqueSuffix()}`;
  let connection: KafkaConnection;

  beforeAll(() => {
    connection = new KafkaConnection({ clientId: 'offsets-test', brokers: testKafkaBrokers(), logger, topicPrefix });
  });

  afterAll(async () => {
    await connection.close();
  });

  it('commits what it handled while running and on close, so the next member of the group starts after it', async () => {
    const publisher = new KafkaPublisher(connection);
    const admin = await connection.admin();
    const first: string[] = [];
    const server = await consumerIn(connection, groupId, first);
    const before = [cancelled(), cancelled(), cancelled()];
    await publisher.publish(before.map((envelope) => ({ topic: TOPICS.accessEvents, envelope })));
    await waitFor(() => first.length === 3, { what: 'the first member to handle three events' });

    // Committed by the once-a-second commit, while the member still runs.
    const committed = async () => {
      const [topic] = await admin.fetchOffsets({ groupId: connection.physical(groupId), topics: [connection.physical(TOPICS.accessEvents)] });
      return (topic?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    };
    await waitFor(async () => (await committed()) === 3, { what: 'the three offsets to be committed', timeoutMs: 10000 });
    await server.close();

    const second: string[] = [];
    const next = await consumerIn(connection, groupId, second);
    try {
      const after = cancelled();
      await publisher.publish([{ topic: TOPICS.accessEvents, envelope: after }]);
      await waitFor(() => second.includes(after.id), { what: 'the second member to handle the new event' });
      expect(second).toEqual([after.id]);
    } finally {
      await next.close();
    }
  });
});
