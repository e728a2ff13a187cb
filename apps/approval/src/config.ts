import { commonConfig, commonEnv, databaseConfig, databaseEnv, isProduction, kafkaSecurityRules } from '@gatehouse/config';
import { z } from 'zod';

export const SERVICE = 'approval';

/**
 * Messages handled at once. Decisions arriving together share a transaction (DecisionGroups),
 * so more in flight means larger groups: 1,000 decisions/s needed more than the default 16.
 * Each other handler may hold a pooled connection while it runs, so the pool is larger still.
 */
export const IN_FLIGHT = 32;
export const POOL_SIZE = IN_FLIGHT + 8;
export const SCHEMA = 'approval';

export const approvalEnvSchema = z
  .object({
    ...commonEnv(3001),
    ...databaseEnv(),
    /** The flows YAML file; the example flows are the local default. */
    GATEHOUSE_FLOWS: isProduction() ? z.string().min(1) : z.string().min(1).default('docs/examples/flows.yaml'),
    /** How long to wait for the directory (provisioning-okta) to answer a group question. */
    DIRECTORY_TIMEOUT_MS: z.coerce.number().int().min(100).max(30000).default(3000),
    /** How often due timers (timeouts, expiries) are looked for. */
    TIMER_POLL_INTERVAL_MS: z.coerce.number().int().min(50).max(60000).default(1000),
  })
  .superRefine(kafkaSecurityRules)
  .transform((env) => ({
    ...commonConfig(env),
    database: databaseConfig(env),
    flowsFile: env.GATEHOUSE_FLOWS,
    directoryTimeoutMs: env.DIRECTORY_TIMEOUT_MS,
    timerPollIntervalMs: env.TIMER_POLL_INTERVAL_MS,
  }));

export type ApprovalConfig = z.output<typeof approvalEnvSchema>;
export const APPROVAL_CONFIG = Symbol('APPROVAL_CONFIG');
