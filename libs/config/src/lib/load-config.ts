import { z } from 'zod';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Invalid configuration — fix these environment variables and start again:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

/**
 * Validates the environment once, at start-up, into one typed object. Every problem is
 * reported at once, each naming its variable, so a person fixes them in one go.
 */
export function loadConfig<TSchema extends z.ZodType>(schema: TSchema, env: NodeJS.ProcessEnv = process.env): z.output<TSchema> {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const name = issue.path.join('.') || '(environment)';
      const received = issue.code === 'invalid_type' && cleaned[name] === undefined ? 'is missing' : issue.message;
      return `${name}: ${received === 'is missing' ? 'is required but missing' : received}`;
    }),
  );
}

/** True when running in production: there, nothing falls back to a local default. */
export function isProduction(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['NODE_ENV'] === 'production';
}
