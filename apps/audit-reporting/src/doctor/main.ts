import 'reflect-metadata';
import { doctorMain, fail, pass, warn } from '@gatehouse/config';
import { checkKafka } from '@gatehouse/messaging';
import { checkDatabase } from '@gatehouse/persistence';
import { keyIdOf, publicKeyOf } from '../checkpoints/checkpoint-signature';
import { auditEnvSchema, SCHEMA, SERVICE } from '../config';
import { migrations } from '../database';

/** `gatehouse doctor` for audit-reporting: its broker, its database, and the key that signs checkpoints. */
void doctorMain(SERVICE, auditEnvSchema, (config) => [
  { name: 'kafka', run: () => checkKafka(config.kafka.brokers, config.kafka.topicPrefix, config.kafka.security) },
  { name: 'database', run: () => checkDatabase(config.database.url, SCHEMA, migrations) },
  {
    name: 'checkpoint key',
    run: async () => {
      const pem = config.checkpoints.signingKey;
      if (!pem) return warn('AUDIT_SIGNING_KEY not set: the audit chain is not checkpointed', 'generate one (openssl genpkey -algorithm ed25519) and keep it out of the database');
      try {
        return pass(`Ed25519 key ${keyIdOf(publicKeyOf(pem))} signs a checkpoint every ${config.checkpoints.every} records or ${config.checkpoints.intervalMs / 1000} s`);
      } catch (error) {
        return fail(error instanceof Error ? error.message : String(error), 'set AUDIT_SIGNING_KEY to an Ed25519 private key in PEM');
      }
    },
  },
]);
