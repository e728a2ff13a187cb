import { commonConfig, commonEnv, databaseEnv } from '@gatehouse/config';
import { z } from 'zod';

export const SERVICE = 'audit-reporting';
export const SCHEMA = 'audit';

export const auditEnvSchema = z
  .object({ ...commonEnv(3002), ...databaseEnv() })
  .transform((env) => ({ ...commonConfig(env), database: { url: env.DATABASE_URL } }));

export type AuditConfig = z.output<typeof auditEnvSchema>;
