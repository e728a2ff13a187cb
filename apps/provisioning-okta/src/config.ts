import { commonConfig, commonEnv, databaseConfig, databaseEnv, isProduction, kafkaSecurityRules } from '@gatehouse/config';
import { z } from 'zod';
import { parseLoginOverrides } from './identities/identity-resolver';

export const SERVICE = 'provisioning-okta';
export const SCHEMA = 'provisioning';

const orgUrl = z.url().refine((value) => /^https?:\/\//.test(value), 'must be your Okta org URL, e.g. https://example.okta.com');

export const envSchema = z
  .object({
    ...commonEnv(3003),
    ...databaseEnv(),
    // Required in production; locally Gatehouse runs without Okta and says so when asked.
    OKTA_ORG_URL: isProduction() ? orgUrl : orgUrl.optional(),
    // Either an SSWS API token, or (what production should use) an OAuth 2.0 service app
    // with a private key: OKTA_CLIENT_ID + OKTA_PRIVATE_KEY (PEM; "\n" escapes are fine).
    OKTA_API_TOKEN: z.string().min(10).optional(),
    OKTA_CLIENT_ID: z.string().min(5).optional(),
    OKTA_PRIVATE_KEY: z.string().includes('PRIVATE KEY', { message: 'must be a PEM private key (-----BEGIN PRIVATE KEY-----…)' }).optional(),
    OKTA_PRIVATE_KEY_ID: z.string().optional(),
    OKTA_SCOPES: z.string().default('okta.groups.manage okta.users.read'),
    OKTA_TIMEOUT_MS: z.coerce.number().int().min(100).max(60000).default(10000),
    /** `email=login` pairs for people whose Okta login is not found from their email. */
    OKTA_LOGIN_OVERRIDES: z
      .string()
      .optional()
      .transform((text, ctx) => {
        try {
          return parseLoginOverrides(text);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
          return z.NEVER;
        }
      }),
    DIRECTORY_CACHE_TTL_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
    /** How often the ledger is compared with Okta (0 turns it off). */
    RECONCILE_INTERVAL_MS: z.coerce.number().int().min(0).default(300_000),
    /** How long past its expiry a grant may wait for approval's revocation before reconciliation steps in. */
    RECONCILE_GRACE_SECONDS: z.coerce.number().int().min(0).default(600),
    /** How long a grant waits out Okta answering 429, 5xx or nothing before it is reported failed. */
    OKTA_OUTAGE_GRACE_MS: z.coerce.number().int().min(0).max(3_600_000).default(300_000),
  })
  .superRefine(kafkaSecurityRules)
  .superRefine((env, ctx) => {
    const oauth = env.OKTA_CLIENT_ID !== undefined || env.OKTA_PRIVATE_KEY !== undefined;
    if (oauth && !(env.OKTA_CLIENT_ID && env.OKTA_PRIVATE_KEY)) {
      ctx.addIssue({ code: 'custom', path: [env.OKTA_CLIENT_ID ? 'OKTA_PRIVATE_KEY' : 'OKTA_CLIENT_ID'], message: 'OAuth mode needs both OKTA_CLIENT_ID and OKTA_PRIVATE_KEY' });
    }
    if (oauth && env.OKTA_API_TOKEN) ctx.addIssue({ code: 'custom', path: ['OKTA_API_TOKEN'], message: 'set either OKTA_API_TOKEN or OKTA_CLIENT_ID/OKTA_PRIVATE_KEY, not both' });
    if (isProduction() && !oauth && !env.OKTA_API_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['OKTA_CLIENT_ID'], message: 'is required in production (with OKTA_PRIVATE_KEY), or set OKTA_API_TOKEN' });
    }
  })
  .transform((env) => ({
    ...commonConfig(env),
    database: databaseConfig(env),
    okta: env.OKTA_ORG_URL && (env.OKTA_API_TOKEN || env.OKTA_CLIENT_ID)
      ? {
          orgUrl: env.OKTA_ORG_URL.replace(/\/$/, ''),
          timeoutMs: env.OKTA_TIMEOUT_MS,
          loginOverrides: env.OKTA_LOGIN_OVERRIDES,
          credentials:
            env.OKTA_CLIENT_ID && env.OKTA_PRIVATE_KEY
              ? { mode: 'oauth' as const, clientId: env.OKTA_CLIENT_ID, privateKeyPem: env.OKTA_PRIVATE_KEY.replace(/\\n/g, '\n'), keyId: env.OKTA_PRIVATE_KEY_ID, scopes: env.OKTA_SCOPES.split(/\s+/).filter(Boolean) }
              : { mode: 'ssws' as const, apiToken: env.OKTA_API_TOKEN as string },
        }
      : undefined,
    directoryCacheTtlMs: env.DIRECTORY_CACHE_TTL_MS,
    reconcileIntervalMs: env.RECONCILE_INTERVAL_MS,
    reconcileGraceSeconds: env.RECONCILE_GRACE_SECONDS,
    oktaOutageGraceMs: env.OKTA_OUTAGE_GRACE_MS,
  }));

export type ServiceConfig = z.output<typeof envSchema>;
export const PROVISIONING_CONFIG = Symbol('PROVISIONING_CONFIG');
