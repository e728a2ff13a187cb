import { z } from 'zod';
import { isProduction } from './load-config';

/**
 * Building blocks of each service's environment schema. Local defaults let `npm start`
 * run with no configuration; under NODE_ENV=production the same variables are required.
 */
function withLocalDefault<T extends z.ZodType>(schema: T, localDefault: z.input<T>, env: NodeJS.ProcessEnv) {
  return isProduction(env) ? schema : schema.prefault(localDefault as never);
}

const brokerList = z
  .string()
  .transform((value) => value.split(',').map((b) => b.trim()).filter(Boolean))
  .pipe(z.array(z.string().regex(/^[^:\s]+:\d{1,5}$/, 'each broker must be host:port')).min(1));

const postgresUrl = z
  .string()
  .refine((value) => /^postgres(ql)?:\/\/.+/.test(value), 'must be a postgres:// URL, e.g. postgres://user@127.0.0.1:5432/gatehouse');

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

export function commonEnv(defaultPort: number, env: NodeJS.ProcessEnv = process.env) {
  return {
    PORT: z.coerce.number().int().min(1).max(65535).default(defaultPort),
    /** Interface to listen on; 0.0.0.0 in containers. */
    HOST: z.string().min(1).default('127.0.0.1'),
    LOG_LEVEL: logLevel.default('info'),
    /** `json` for log collectors; `pretty` for a person at a terminal (npm start sets it there). */
    LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
    KAFKA_BROKERS: withLocalDefault(brokerList, '127.0.0.1:9092', env),
    KAFKA_TOPIC_PREFIX: z
      .string()
      .regex(/^[a-zA-Z0-9._-]*$/, 'only letters, digits, ".", "_" and "-"')
      .default(''),
    /** TLS to the brokers (`true`); KAFKA_SSL_CA_FILE: a PEM bundle to trust instead of the system's (implies TLS). */
    KAFKA_SSL: z.enum(['true', 'false']).default('false'),
    KAFKA_SSL_CA_FILE: z.string().min(1).optional(),
    /** SASL authentication to the brokers: with a mechanism, the username and password are required. */
    KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
    KAFKA_SASL_USERNAME: z.string().min(1).optional(),
    KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  };
}

type KafkaSecurityEnv = {
  KAFKA_SSL: 'true' | 'false';
  KAFKA_SSL_CA_FILE?: string;
  KAFKA_SASL_MECHANISM?: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  KAFKA_SASL_USERNAME?: string;
  KAFKA_SASL_PASSWORD?: string;
};

/** Every service's schema refines with this: a SASL mechanism needs its username and password, and they need a mechanism. */
export function kafkaSecurityRules(env: KafkaSecurityEnv, ctx: z.RefinementCtx): void {
  if (env.KAFKA_SASL_MECHANISM) {
    for (const key of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
      if (!env[key]) ctx.addIssue({ code: 'custom', path: [key], message: `is required with KAFKA_SASL_MECHANISM=${env.KAFKA_SASL_MECHANISM}` });
    }
  } else if (env.KAFKA_SASL_USERNAME || env.KAFKA_SASL_PASSWORD) {
    ctx.addIssue({ code: 'custom', path: ['KAFKA_SASL_MECHANISM'], message: 'is required with KAFKA_SASL_USERNAME/KAFKA_SASL_PASSWORD: plain, scram-sha-256 or scram-sha-512' });
  }
}

function kafkaSecurity(env: KafkaSecurityEnv) {
  const tls = env.KAFKA_SSL === 'true' || env.KAFKA_SSL_CA_FILE ? { caFile: env.KAFKA_SSL_CA_FILE } : undefined;
  const sasl =
    env.KAFKA_SASL_MECHANISM && env.KAFKA_SASL_USERNAME && env.KAFKA_SASL_PASSWORD
      ? { mechanism: env.KAFKA_SASL_MECHANISM, username: env.KAFKA_SASL_USERNAME, password: env.KAFKA_SASL_PASSWORD }
      : undefined;
  return tls || sasl ? { ...(tls ? { tls } : {}), ...(sasl ? { sasl } : {}) } : undefined;
}

/** The shape every service's config starts from. */
export function commonConfig(env: { PORT: number; HOST: string; LOG_LEVEL: string; LOG_FORMAT: 'json' | 'pretty'; KAFKA_BROKERS: string[]; KAFKA_TOPIC_PREFIX: string } & KafkaSecurityEnv) {
  return {
    http: { port: env.PORT, host: env.HOST },
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT,
    kafka: { brokers: env.KAFKA_BROKERS, topicPrefix: env.KAFKA_TOPIC_PREFIX, security: kafkaSecurity(env) },
  };
}

export function databaseEnv(env: NodeJS.ProcessEnv = process.env) {
  return {
    DATABASE_URL: withLocalDefault(postgresUrl, 'postgres://postgres@127.0.0.1:5432/gatehouse', env),
    /**
     * The hot statements run prepared (`true`). `false` behind a connection pooler that cannot
     * keep them: PgBouncer in transaction mode with max_prepared_statements at 0 (its default
     * before 1.24).
     */
    DATABASE_PREPARED_STATEMENTS: z.enum(['true', 'false']).default('true'),
  };
}

/** The database part of a service's config, from databaseEnv's variables. */
export function databaseConfig(env: { DATABASE_URL: string; DATABASE_PREPARED_STATEMENTS: 'true' | 'false' }) {
  return { url: env.DATABASE_URL, preparedStatements: env.DATABASE_PREPARED_STATEMENTS === 'true' };
}
