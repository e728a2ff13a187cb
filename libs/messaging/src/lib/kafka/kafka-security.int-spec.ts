import { randomUUID } from 'node:crypto';
import { createLogger } from '@gatehouse/observability';
import { testKafkaSaslListener, waitFor } from '@gatehouse/testing';
import { checkKafka } from './kafka-doctor';
import { KafkaConnection } from './kafka-connection';
import type { KafkaSecurity } from './kafka-security';

/** Against the test broker's SASL listener: a secured cluster, as production ones are. */
describe('Kafka with SASL, on the real broker', () => {
  const logger = createLogger({ service: 'test', level: 'silent' });
  const listener = testKafkaSaslListener();
  const connections: KafkaConnection[] = [];
  const connect = (security: KafkaSecurity | undefined) => {
    const connection = new KafkaConnection({ clientId: 'sasl-test', brokers: listener.brokers, logger, topicPrefix: `sasl${randomUUID().slice(0, 8)}.`, security });
    connections.push(connection);
    return connection;
  };

  afterAll(async () => {
    await Promise.all(connections.map((c) => c.close()));
  });

  it.each(['plain', 'scram-sha-512'] as const)('creates topics, produces and reads back with %s', async (mechanism) => {
    const connection = connect({ sasl: { mechanism, username: listener.username, password: listener.password } });
    const topic = connection.physical('gatehouse.sasl-check');
    await connection.ensureTopics(['gatehouse.sasl-check']);
    await connection.send([{ topic, messages: [{ key: 'k', value: mechanism }] }]);
    const consumer = connection.kafka.consumer({ groupId: `sasl-${randomUUID()}` });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      const seen: string[] = [];
      void consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value?.toString() ?? '') });
      await waitFor(async () => seen.includes(mechanism), { what: `the message sent with ${mechanism}` });
    } finally {
      await consumer.disconnect();
    }
  });

  it('is refused with a wrong password, and the doctor says so', async () => {
    const wrong = connect({ sasl: { mechanism: 'scram-sha-512', username: listener.username, password: 'not-the-password' } });
    await expect(wrong.ensureTopics(['gatehouse.sasl-check'])).rejects.toThrow(/SASL SCRAM SHA512 authentication failed|Authentication failed/i);
    const finding = await checkKafka(listener.brokers, '', { sasl: { mechanism: 'plain', username: listener.username, password: 'not-the-password' } });
    expect(finding.status).toBe('fail');
    expect(finding.detail).toMatch(/authentication failed/i);
    const good = await checkKafka(listener.brokers, '', { sasl: { mechanism: 'plain', username: listener.username, password: listener.password } });
    expect(good.status).not.toBe('fail');
  });
});
