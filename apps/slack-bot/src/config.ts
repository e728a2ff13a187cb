import { commonConfig, commonEnv, databaseConfig, databaseEnv, isProduction, kafkaSecurityRules } from '@gatehouse/config';
import { z } from 'zod';

export const SERVICE = 'slack-bot';
export const SCHEMA = 'slack_bot';

/** `U123=ada@example.com` pairs, comma or newline separated. */
const userOverrides = z
  .string()
  .transform((value) => value.split(/[,\n]/).map((pair) => pair.trim()).filter(Boolean))
  .pipe(z.array(z.string().regex(/^[UW][A-Z0-9]+=[^=\s]+@[^=\s]+$/, 'each entry must be SLACK_USER_ID=email, e.g. U012ABCDEF=ada@example.com')))
  .transform((pairs) => new Map(pairs.map((pair) => pair.split('=') as [string, string])));

export const envSchema = z
  .object({
    ...commonEnv(3004),
    ...databaseEnv(),
    /** The flows file (the same one approval reads): who is asked, in which channel. */
    GATEHOUSE_FLOWS: isProduction() ? z.string().min(1) : z.string().min(1).default('docs/examples/flows.yaml'),
    /** The bot token (xoxb-…) from OAuth & Permissions; without it slack-bot runs but tells people Slack is not set up. */
    SLACK_BOT_TOKEN: z.string().regex(/^xox[bp]-/, 'a bot token starts with xoxb-').optional(),
    /**
     * The app-level token (xapp-…, scope `connections:write`) from Basic Information → App-Level
     * Tokens: with it slack-bot takes Slack's deliveries over Socket Mode and needs no inbound URL.
     */
    SLACK_APP_TOKEN: z.string().regex(/^xapp-/, 'an app-level token starts with xapp-').optional(),
    /** Slack's Web API base URL; tests point it at a fake. */
    SLACK_API_URL: z.url().default('https://slack.com/api/'),
    SLACK_USER_OVERRIDES: userOverrides.optional(),
    /** How long a Slack user's email is remembered. */
    SLACK_USER_CACHE_TTL_MS: z.coerce.number().int().min(0).max(86_400_000).default(300_000),
    /**
     * The gateway's address as people's browsers reach it: with it, people may link their Slack
     * account to their Okta account (the gateway signs them in; it needs OKTA_OIDC_* set).
     */
    GATEHOUSE_PUBLIC_URL: z.url().optional(),
  })
  .refine((env) => !env.SLACK_APP_TOKEN || env.SLACK_BOT_TOKEN, {
    path: ['SLACK_APP_TOKEN'],
    message: 'Socket Mode needs the bot token too: set SLACK_BOT_TOKEN (xoxb-…) as well, or unset SLACK_APP_TOKEN',
  })
  .superRefine(kafkaSecurityRules)
  .transform((env) => ({
    ...commonConfig(env),
    database: databaseConfig(env),
    flowsFile: env.GATEHOUSE_FLOWS,
    slack: {
      botToken: env.SLACK_BOT_TOKEN,
      appToken: env.SLACK_APP_TOKEN,
      apiUrl: env.SLACK_API_URL,
      userOverrides: env.SLACK_USER_OVERRIDES ?? new Map<string, string>(),
      userCacheTtlMs: env.SLACK_USER_CACHE_TTL_MS,
    },
    /** Where "Link your account" sends the browser; undefined: linking is not offered. */
    linkUrl: env.GATEHOUSE_PUBLIC_URL ? `${env.GATEHOUSE_PUBLIC_URL.replace(/\/+$/, '')}/link/slack` : undefined,
  }));

export type ServiceConfig = z.output<typeof envSchema>;
export const SLACK_BOT_CONFIG = Symbol('SLACK_BOT_CONFIG');
