import { Writable } from 'node:stream';
import { runWithCorrelation } from './correlation';
import { createLogger } from './logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { lines, logger: createLogger({ service: 'test', destination }) };
}

describe('logger', () => {
  it('writes JSON lines with the service and the correlation id of the work in progress', () => {
    const { lines, logger } = capture();
    runWithCorrelation({ correlationId: 'c-1', causationId: 'm-1' }, () => logger.info({ requestId: 'r1' }, 'stored'));
    logger.info('outside');
    expect(lines[0]).toMatchObject({ level: 'info', service: 'test', correlationId: 'c-1', causationId: 'm-1', requestId: 'r1', msg: 'stored' });
    expect(lines[1].correlationId).toBeUndefined();
  });

  it('never writes secrets', () => {
    const { lines, logger } = capture();
    logger.info({ headers: { authorization: 'Bearer ghk_secret' }, token: 'ghk_secret', config: { password: 'hunter2' } }, 'request');
    const text = JSON.stringify(lines[0]);
    expect(text).not.toContain('ghk_secret');
    expect(text).not.toContain('hunter2');
    expect(text).toContain('[redacted]');
  });
});
