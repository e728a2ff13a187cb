import { commonConfig, commonEnv } from '@gatehouse/config';
import { z } from 'zod';

export const SERVICE = 'provisioning-okta';

export const envSchema = z.object({ ...commonEnv(3003) }).transform((env) => commonConfig(env));

export type ServiceConfig = z.output<typeof envSchema>;
