import { commonConfig, commonEnv } from '@gatehouse/config';
import { z } from 'zod';

export const SERVICE = 'slack-bot';

export const envSchema = z.object({ ...commonEnv(3004) }).transform((env) => commonConfig(env));

export type ServiceConfig = z.output<typeof envSchema>;
