import { commonConfig, commonEnv, databaseEnv, isProduction } from '@gatehouse/config';
import { z } from 'zod';

export const SERVICE = 'provisioning-okta';
export const SCHEMA = 'provisioning';

const orgUrl = z.url().refine((value) => /^https?:\/\//.test(value), 'must be your Okta org URL, e.g. https://example.okta.com');

export const envSchema = z
  .object({
    ...commonEnv(3003),
    ...databaseEnv(),
    // Required in production; locally Gatehouse runs without Okta and says so when asked.
    OKTA_ORG_URL: isProduction() ? orgUrl : orgUrl.optional(),
    OKTA_API_TOKEN: isProduction() ? z.string().min(10) : z.string().min(10).optional(),
    OKTA_TIMEOUT_MS: z.coerce.number().int().min(100).max(60000).default(10000),
    DIRECTORY_CACHE_TTL_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  })
  .transform((env) => ({
    ...commonConfig(env),
    database: { url: env.DATABASE_URL },
    okta: env.OKTA_ORG_URL && env.OKTA_API_TOKEN ? { orgUrl: env.OKTA_ORG_URL.replace(/\/$/, ''), apiToken: env.OKTA_API_TOKEN, timeoutMs: env.OKTA_TIMEOUT_MS } : undefined,
    directoryCacheTtlMs: env.DIRECTORY_CACHE_TTL_MS,
  }));

export type ServiceConfig = z.output<typeof envSchema>;
export const PROVISIONING_CONFIG = Symbol('PROVISIONING_CONFIG');
