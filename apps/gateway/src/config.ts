import { commonConfig, commonEnv, databaseEnv } from '@gatehouse/config';
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
  })
  .transform((env) => ({
    ...commonConfig(env),
    database: { url: env.DATABASE_URL },
    queryTimeoutMs: env.QUERY_TIMEOUT_MS,
    slack: { signingSecret: env.SLACK_SIGNING_SECRET, ackTimeoutMs: env.SLACK_ACK_TIMEOUT_MS },
  }));

export type GatewayConfig = z.output<typeof gatewayEnvSchema>;
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
