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

  it('leaves out the parameters a failed statement carries', () => {
    const { lines, logger } = capture();
    const failed = Object.assign(new Error('connection terminated'), { query: 'INSERT INTO audit.records …', parameters: [Buffer.from('x'.repeat(4096)), 'sha256:abc'], code: '08006' });
    logger.error({ err: failed }, 'could not write');
    logger.warn({ error: failed }, 'retrying');
    expect(JSON.stringify(lines[0])).toContain('connection terminated');
    for (const line of lines) {
      const text = JSON.stringify(line);
      expect(text).toContain('08006');
      expect(text).not.toContain('sha256:abc');
      expect(text.length).toBeLessThan(2000);
    }
  });
});
