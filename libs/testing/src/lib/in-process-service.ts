import { createTestDatabase, TEST_FLOWS_FILE, testKafkaBrokers, uniqueSuffix, type TestDatabase } from './infrastructure';

/**
 * Settings for running one service in the test process against the real broker and a
 * fresh database, isolated from every other test by its own topic prefix.
 */
export interface ServiceTestEnv {
  database: TestDatabase;
  env: NodeJS.ProcessEnv;
  brokers: string[];
  topicPrefix: string;
}

export async function serviceTestEnv(label: string): Promise<ServiceTestEnv> {
  const database = await createTestDatabase(label);
  const brokers = testKafkaBrokers();
  const topicPrefix = `${label.replace(/[^a-z0-9]/gi, '')}${uniqueSuffix()}.`;
  return {
    database,
    brokers,
    topicPrefix,
    env: { GATEHOUSE_FLOWS: TEST_FLOWS_FILE, DATABASE_URL: database.url, KAFKA_BROKERS: brokers.join(','), KAFKA_TOPIC_PREFIX: topicPrefix, LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent' },
  };
}
