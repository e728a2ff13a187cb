import { commonConfig, commonEnv, databaseConfig, databaseEnv, kafkaSecurityRules } from '@gatehouse/config';
import { z } from 'zod';

export const SERVICE = 'gateway';
export const SCHEMA = 'gateway';

export const gatewayEnvSchema = z
  .object({
    ...commonEnv(3000),
    ...databaseEnv(),
    /** How long the gateway waits for another service to answer a query. */
    QUERY_TIMEOUT_MS: z.coerce.number().int().min(100).max(60000).default(5000),
    /** Your Slack app's signing secret (Basic Information): without it, /slack/events answers 503. */
    SLACK_SIGNING_SECRET: z.string().min(8).optional(),
    /** How long the gateway waits for slack-bot's acknowledgement; Slack gives up at 3 s. */
    SLACK_ACK_TIMEOUT_MS: z.coerce.number().int().min(100).max(2900).default(2500),
    /** Slack deliveries that may wait for slack-bot's acknowledgement at once; beyond, they are handed on without waiting. */
    SLACK_ACK_MAX_WAITING: z.coerce.number().int().min(0).max(100000).default(256),
    /** The gateway's address as people's browsers reach it (account linking redirects back to it). */
    GATEHOUSE_PUBLIC_URL: z.url().default('http://localhost:3000'),
    /** Okta's OpenID Connect issuer: your org (https://acme.okta.com) or an authorization server. */
    OKTA_OIDC_ISSUER: z.url().optional(),
    /** The Okta OIDC web app's client id and secret: without them, account linking says what to set. */
    OKTA_OIDC_CLIENT_ID: z.string().min(1).optional(),
    OKTA_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    /** Admission control: the median API latency the concurrency limit steers toward. */
    GATEWAY_ADMISSION_TARGET_MS: z.coerce.number().int().min(5).max(60000).default(250),
    /** Bounds of the adaptive limit of API requests worked on at once. */
    GATEWAY_ADMISSION_MIN_IN_FLIGHT: z.coerce.number().int().min(1).max(10000).default(4),
    GATEWAY_ADMISSION_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(10000).default(256),
    /** Requests that may wait for a slot, and for how long, before being turned away with 503. */
    GATEWAY_ADMISSION_QUEUE: z.coerce.number().int().min(0).max(100000).default(64),
    GATEWAY_ADMISSION_QUEUE_MS: z.coerce.number().int().min(0).max(60000).default(50),
  })
  .refine((env) => env.GATEWAY_ADMISSION_MIN_IN_FLIGHT <= env.GATEWAY_ADMISSION_MAX_IN_FLIGHT, { path: ['GATEWAY_ADMISSION_MIN_IN_FLIGHT'], message: 'must not be above GATEWAY_ADMISSION_MAX_IN_FLIGHT' })
  .superRefine(kafkaSecurityRules)
  .transform((env) => ({
    ...commonConfig(env),
    database: databaseConfig(env),
    queryTimeoutMs: env.QUERY_TIMEOUT_MS,
    slack: { signingSecret: env.SLACK_SIGNING_SECRET, ackTimeoutMs: env.SLACK_ACK_TIMEOUT_MS, ackMaxWaiting: env.SLACK_ACK_MAX_WAITING },
    publicUrl: env.GATEHOUSE_PUBLIC_URL.replace(/\/+$/, ''),
    admission: {
      targetMs: env.GATEWAY_ADMISSION_TARGET_MS,
      minLimit: env.GATEWAY_ADMISSION_MIN_IN_FLIGHT,
      maxLimit: env.GATEWAY_ADMISSION_MAX_IN_FLIGHT,
      initialLimit: Math.min(env.GATEWAY_ADMISSION_MAX_IN_FLIGHT, Math.max(env.GATEWAY_ADMISSION_MIN_IN_FLIGHT, 32)),
      maxQueue: env.GATEWAY_ADMISSION_QUEUE,
      queueTimeoutMs: env.GATEWAY_ADMISSION_QUEUE_MS,
    },
    oidc:
      env.OKTA_OIDC_ISSUER && env.OKTA_OIDC_CLIENT_ID && env.OKTA_OIDC_CLIENT_SECRET
        ? { issuer: env.OKTA_OIDC_ISSUER.replace(/\/+$/, ''), clientId: env.OKTA_OIDC_CLIENT_ID, clientSecret: env.OKTA_OIDC_CLIENT_SECRET }
        : undefined,
  }));

export type GatewayConfig = z.output<typeof gatewayEnvSchema>;
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
