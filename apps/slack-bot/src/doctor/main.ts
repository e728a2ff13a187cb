import 'reflect-metadata';
import { doctorMain, flowsFileCheck, loadFlowsFile, pass, warn } from '@gatehouse/config';
import { checkKafka } from '@gatehouse/messaging';
import { checkDatabase } from '@gatehouse/persistence';
import { envSchema, SCHEMA, SERVICE } from '../config';
import { migrations } from '../database';
import { checkSlack } from './slack-checks';

/** `gatehouse doctor` for slack-bot: broker, database, flows file, and Slack (token, scopes, channels). */
void doctorMain(SERVICE, envSchema, (config) => [
  { name: 'kafka', run: () => checkKafka(config.kafka.brokers, config.kafka.topicPrefix, config.kafka.security) },
  { name: 'database', run: () => checkDatabase(config.database.url, SCHEMA, migrations) },
  flowsFileCheck(config.flowsFile, loadFlowsFile),
  {
    name: 'slack',
    run: async () => {
      let flows;
      try {
        flows = loadFlowsFile(config.flowsFile);
      } catch {
        flows = { flows: [], admins: [] };
      }
      return checkSlack(config, flows);
    },
  },
  {
    name: 'account linking',
    run: async () => (config.linkUrl ? pass(`"Link your account" sends people to ${config.linkUrl}`) : warn('off: set GATEHOUSE_PUBLIC_URL (and OKTA_OIDC_* on the gateway) to offer it')),
  },
]);
