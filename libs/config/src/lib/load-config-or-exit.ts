import type { z } from 'zod';
import { ConfigError, loadConfig } from './load-config';

/** For main.ts: a bad configuration stops the service with a message naming each variable. */
export function loadConfigOrExit<TSchema extends z.ZodType>(service: string, schema: TSchema): z.output<TSchema> {
  try {
    return loadConfig(schema);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${service}: ${error.message}\n`);
    process.exit(1);
  }
}
