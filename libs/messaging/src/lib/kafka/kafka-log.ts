import { logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from '@gatehouse/observability';

/**
 * kafkajs' log lines, into the service's logger at the level they deserve. Bounded producer
 * retries are deliberate (a caller must get an error, not hang; consumers are idempotent), so
 * that warning is dropped. "Response Metadata(…)" and its kin are one broker answer carrying an
 * error code ("does not host this topic-partition" while a new topic spreads, "not the leader",
 * "coordinator is loading", a topic another service created first): kafkajs retries it, and if
 * the operation still fails its caller gets the error and says so, so it is debug, not error.
 */
export function kafkaLog(log: Pick<Logger, 'error' | 'warn' | 'debug'>): (entry: LogEntry) => void {
  return ({ level, log: entry }: LogEntry) => {
    const { message, ...rest } = entry;
    if (message?.startsWith('Limiting retries for the idempotent producer')) return;
    if (level <= logLevel.ERROR && !message?.startsWith('Response ')) log.error(rest, message);
    else if (level === logLevel.WARN) log.warn(rest, message);
    else log.debug(rest, message);
  };
}
