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
  };
}

/** The shape every service's config starts from. */
export function commonConfig(env: { PORT: number; HOST: string; LOG_LEVEL: string; LOG_FORMAT: 'json' | 'pretty'; KAFKA_BROKERS: string[]; KAFKA_TOPIC_PREFIX: string }) {
  return {
    http: { port: env.PORT, host: env.HOST },
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT,
    kafka: { brokers: env.KAFKA_BROKERS, topicPrefix: env.KAFKA_TOPIC_PREFIX },
  };
}

export function databaseEnv(env: NodeJS.ProcessEnv = process.env) {
  return {
    DATABASE_URL: withLocalDefault(postgresUrl, 'postgres://postgres@127.0.0.1:5432/gatehouse', env),
  };
}
