import { randomUUID } from 'node:crypto';
import { deadLetterTopicOf, HEADERS, TOPICS, type ChangeReply, type Envelope, type Principal } from '@gatehouse/contracts';
import { createLogger } from '@gatehouse/observability';
import { testKafkaBrokers, TopicReader, uniqueSuffix, waitFor } from '@gatehouse/testing';
import { KafkaConnection } from '../kafka/kafka-connection';
import { KafkaRequester, RemoteError } from '../request-reply/kafka-requester';
import { KafkaConsumerServer } from './kafka-consumer-server';

const logger = createLogger({ service: 'command-retries-test', level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
const principal: Principal = { actor: { kind: 'person', channel: 'api', person: { email: 'ada@example.com' } }, scopes: [] };

/**
 * A command answered over request/reply whose dependency stays down: tried again for as long as
 * transientRetryMs allows, then dead-lettered with the reason (not dropped), and answered with
 * the error.
 */
describe('a command whose dependency stays down', () => {
  const topicPrefix = `cmdretry${uniqueSuffix()}.`;
  let connection: KafkaConnection;
  let server: KafkaConsumerServer;
  let requester: KafkaRequester;
  const attempts: string[] = [];

  beforeAll(async () => {
    connection = new KafkaConnection({ clientId: 'command-retries-test', brokers: testKafkaBrokers(), logger, topicPrefix });
    server = new KafkaConsumerServer({ connection, groupId: `cmdretry-${uniqueSuffix()}`, source: 'command-retries-test', logger, retryBaseMs: 20, transientRetryMs: 1500 });
    server.addHandler(
      'access.request.cancel',
      async (command: Envelope): Promise<ChangeReply> => {
        attempts.push(command.id);
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      },
      false,
    );
    await new Promise<void>((resolve, reject) => void server.listen((error?: unknown) => (error ? reject(error) : resolve())));
    requester = new KafkaRequester(connection, `cmdretry-caller-${uniqueSuffix()}`, logger);
    await requester.start();
  });
  afterAll(async () => {
    await requester?.stop();
    await server?.close();
    await connection?.close();
  });

  it('is tried again until transientRetryMs, then dead-lettered with the reason and answered with the error', async () => {
    const id = randomUUID();
    const dlq = await new TopicReader(testKafkaBrokers()).start([deadLetterTopicOf(connection.physical(TOPICS.approvalCommands))]);
    try {
      await expect(requester.request('access.request.cancel', 'down', { requestId: randomUUID(), principal }, { timeoutMs: 15_000, id })).rejects.toThrow(RemoteError);
      expect(attempts.filter((a) => a === id).length).toBeGreaterThan(1);
      const [dead] = await waitFor(() => {
        const found = dlq.messages.filter((m) => m.json<{ id: string }>().id === id);
        return found.length > 0 ? found : undefined;
      }, { what: 'the command in the dead-letter topic' });
      expect(dead?.headers[HEADERS.dlqReason]).toMatch(/ECONNREFUSED.*still failing after \d+ attempts/);
    } finally {
      await dlq.stop();
    }
  });
});
