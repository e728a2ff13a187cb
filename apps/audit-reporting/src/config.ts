import { commonConfig, commonEnv, databaseConfig, databaseEnv, kafkaSecurityRules } from '@gatehouse/config';
import { z } from 'zod';

export const SERVICE = 'audit-reporting';
export const SCHEMA = 'audit';

export const auditEnvSchema = z
  .object({
    ...commonEnv(3002),
    ...databaseEnv(),
    /**
     * An Ed25519 private key (PEM; "\n" escapes are fine) that signs the chain's checkpoints. Keep
     * it out of the database: the signed checkpoints are what anchor the chain outside it.
     * Without it no checkpoints are made, and a cut tail is caught only against the chain head.
     */
    AUDIT_SIGNING_KEY: z.string().includes('PRIVATE KEY', { message: 'must be a PEM private key (openssl genpkey -algorithm ed25519)' }).optional(),
    /** A checkpoint every this many records… */
    AUDIT_CHECKPOINT_EVERY: z.coerce.number().int().min(1).max(1_000_000).default(1000),
    /** …or this often, when there are new records. */
    AUDIT_CHECKPOINT_INTERVAL_MS: z.coerce.number().int().min(100).max(86_400_000).default(60_000),
    /** For `gatehouse audit verify` where the signing key is not: the Ed25519 public key (PEM). */
    AUDIT_VERIFY_KEY: z.string().includes('PUBLIC KEY', { message: 'must be a PEM public key' }).optional(),
    /** A YAML file of the destinations audit records are shipped to (docs/audit-destinations.schema.json). */
    GATEHOUSE_AUDIT_DESTINATIONS: z.string().min(1).optional(),
    /** The longest wait between tries of a failing destination, and between tries of a paused one. */
    AUDIT_DESTINATION_RETRY_MAX_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  })
  .superRefine(kafkaSecurityRules)
  .transform((env) => ({
    ...commonConfig(env),
    database: databaseConfig(env),
    destinationsFile: env.GATEHOUSE_AUDIT_DESTINATIONS,
    destinationRetryMaxMs: env.AUDIT_DESTINATION_RETRY_MAX_MS,
    checkpoints: { signingKey: env.AUDIT_SIGNING_KEY, every: env.AUDIT_CHECKPOINT_EVERY, intervalMs: env.AUDIT_CHECKPOINT_INTERVAL_MS, verifyKey: env.AUDIT_VERIFY_KEY },
  }));

export type AuditConfig = z.output<typeof auditEnvSchema>;
export const AUDIT_CONFIG = Symbol('AUDIT_CONFIG');
