import { readFileSync } from 'node:fs';
import type { KafkaConfig, SASLOptions } from 'kafkajs';

/**
 * How a service reaches brokers that want TLS and SASL (KAFKA_SSL, KAFKA_SSL_CA_FILE,
 * KAFKA_SASL_*; libs/config reads them). Every Kafka client a service makes takes these.
 */
export interface KafkaSecurity {
  /** TLS to the brokers; `caFile`: a PEM bundle to trust instead of the system's. */
  tls?: { caFile?: string };
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
}

/** kafkajs's `ssl` and `sasl` options for these settings (the CA file is read now: a bad path fails at start-up, naming it). */
export function kafkaSecurityOptions(security: KafkaSecurity | undefined): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const options: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (security?.tls) {
    const caFile = security.tls.caFile;
    if (caFile) {
      let ca: string;
      try {
        ca = readFileSync(caFile, 'utf8');
      } catch (error) {
        throw new Error(`KAFKA_SSL_CA_FILE=${caFile} cannot be read (${error instanceof Error ? error.message : String(error)})`);
      }
      options.ssl = { ca: [ca] };
    } else options.ssl = true;
  }
  if (security?.sasl) options.sasl = { ...security.sasl } as SASLOptions;
  return options;
}
