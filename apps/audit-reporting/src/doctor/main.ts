import 'reflect-metadata';
import { doctorMain } from '@gatehouse/config';
import { checkKafka } from '@gatehouse/messaging';
import { checkDatabase } from '@gatehouse/persistence';
import { auditEnvSchema, SCHEMA, SERVICE } from '../config';
import { migrations } from '../database';

/** `gatehouse doctor` for audit-reporting: its broker and its database. */
void doctorMain(SERVICE, auditEnvSchema, (config) => [
  { name: 'kafka', run: () => checkKafka(config.kafka.brokers, config.kafka.topicPrefix) },
  { name: 'database', run: () => checkDatabase(config.database.url, SCHEMA, migrations) },
]);
