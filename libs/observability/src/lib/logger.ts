import pino, { type Logger } from 'pino';
import { currentCorrelation } from './correlation';
import { prettyDestination } from './pretty-lines';

export type { Logger } from 'pino';

/** Paths pino blanks out: secrets never reach a log line, however they are nested. */
export const REDACTED_PATHS = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'token',
  '*.token',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'apiToken',
  '*.apiToken',
  'databaseUrl',
  '*.databaseUrl',
  // TypeORM puts a failed statement's parameters on its error: token hashes, or a group of
  // audit records megabytes long, logged with every message the failure touched.
  'err.parameters',
  'error.parameters',
];

export interface LoggerOptions {
  service: string;
  level?: string;
  /** Where to write; tests pass a stream to read the lines back. */
  destination?: pino.DestinationStream;
  /** `json` (one JSON object a line, for machines) or `pretty` (for a person at a terminal). */
  format?: 'json' | 'pretty';
}

/** JSON logs, one line per event, carrying the correlation id of the work in progress (or readable lines). */
export function createLogger({ service, level = 'info', destination, format = 'json' }: LoggerOptions): Logger {
  return pino(
    {
      level,
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      mixin() {
        const context = currentCorrelation();
        return context ? { correlationId: context.correlationId, causationId: context.causationId ?? undefined } : {};
      },
    },
    destination ?? (format === 'pretty' ? prettyDestination() : pino.destination({ sync: false })),
  );
}
