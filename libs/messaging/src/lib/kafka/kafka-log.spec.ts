import { logLevel, type LogEntry } from 'kafkajs';
import { kafkaLog } from './kafka-log';

describe('kafkaLog', () => {
  const capture = () => {
    const lines: { level: string; message: string }[] = [];
    const at = (level: string) => (_fields: unknown, message: string) => void lines.push({ level, message });
    return { lines, log: kafkaLog({ error: at('error'), warn: at('warn'), debug: at('debug') } as never) };
  };
  const entry = (level: logLevel, message: string, error?: string): LogEntry => ({ namespace: 'Connection', level, label: 'ERROR', log: { timestamp: '', message, ...(error ? { error } : {}) } }) as LogEntry;

  it('keeps a healthy start free of error lines: a broker answer kafkajs retries is debug', () => {
    const { lines, log } = capture();
    log(entry(logLevel.ERROR, 'Response Metadata(key: 3, version: 6)', 'This server does not host this topic-partition'));
    log(entry(logLevel.ERROR, 'Response FindCoordinator(key: 10, version: 2)', 'The coordinator is loading and hence can\'t process requests'));
    log(entry(logLevel.WARN, 'Limiting retries for the idempotent producer to Number.MAX_SAFE_INTEGER'));
    expect(lines.map((l) => l.level)).toEqual(['debug', 'debug']);
  });

  it('still reports what kafkajs gives up on', () => {
    const { lines, log } = capture();
    log(entry(logLevel.ERROR, '[Consumer] Crash: KafkaJSNumberOfRetriesExceeded: Connection timeout'));
    log(entry(logLevel.WARN, '[Connection] Connection timeout'));
    expect(lines).toEqual([
      { level: 'error', message: '[Consumer] Crash: KafkaJSNumberOfRetriesExceeded: Connection timeout' },
      { level: 'warn', message: '[Connection] Connection timeout' },
    ]);
  });
});
