import { commonConfig, commonEnv, databaseEnv } from '@gatehouse/config';
import { z } from 'zod';

export const SERVICE = 'approval';
export const SCHEMA = 'approval';

export const approvalEnvSchema = z
  .object({ ...commonEnv(3001), ...databaseEnv() })
  .transform((env) => ({ ...commonConfig(env), database: { url: env.DATABASE_URL } }));

export type ApprovalConfig = z.output<typeof approvalEnvSchema>;
