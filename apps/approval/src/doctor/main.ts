import 'reflect-metadata';
import { doctorMain, flowsFileCheck, loadFlowsFile } from '@gatehouse/config';
import { checkKafka } from '@gatehouse/messaging';
import { checkDatabase } from '@gatehouse/persistence';
import { approvalEnvSchema, SCHEMA, SERVICE } from '../config';
import { migrations } from '../database';

/** `gatehouse doctor` for approval: its broker, its database, and the flows file it enforces. */
void doctorMain(SERVICE, approvalEnvSchema, (config) => [
  { name: 'kafka', run: () => checkKafka(config.kafka.brokers, config.kafka.topicPrefix, config.kafka.security) },
  { name: 'database', run: () => checkDatabase(config.database.url, SCHEMA, migrations) },
  flowsFileCheck(config.flowsFile, loadFlowsFile),
]);
