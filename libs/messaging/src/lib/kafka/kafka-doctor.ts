import { Kafka, logLevel } from 'kafkajs';
import { kafkaSecurityOptions, type KafkaSecurity } from './kafka-security';

/** The shape of a doctor finding (libs/config's Finding, which messaging may not import). */
export interface KafkaFinding {
  status: 'pass' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

/** Can this service reach its brokers, and are Gatehouse's topics there yet? */
export async function checkKafka(brokers: readonly string[], topicPrefix: string, security?: KafkaSecurity): Promise<KafkaFinding> {
  const admin = new Kafka({ clientId: 'gatehouse-doctor', brokers: [...brokers], connectionTimeout: 3000, requestTimeout: 5000, retry: { retries: 1 }, logLevel: logLevel.NOTHING, ...kafkaSecurityOptions(security) }).admin();
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${topicPrefix}gatehouse.`));
    return topics.length > 0
      ? { status: 'pass', detail: `reachable at ${brokers.join(',')}; ${topics.length} Gatehouse topics` }
      : { status: 'warn', detail: `reachable at ${brokers.join(',')}, no Gatehouse topics yet`, fix: 'the services create their topics when they first start' };
  } catch (error) {
    return {
      status: 'fail',
      detail: `not reachable at ${brokers.join(',')} (${error instanceof Error ? error.message : String(error)})`,
      fix: 'start Kafka (npm run kafka -- start for a local one) or set KAFKA_BROKERS to your brokers',
    };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
