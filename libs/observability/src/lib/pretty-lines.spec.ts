import { prettyLine } from './pretty-lines';

describe('prettyLine', () => {
  it('reads as time, level, message, then the fields that matter', () => {
    const line = JSON.stringify({ level: 'info', time: '2026-11-29T21:24:49.564Z', service: 'gateway', pid: 1, msg: 'listening', port: 3000, url: 'http://127.0.0.1:3000' });
    expect(prettyLine(line, false)).toBe('21:24:49 INFO  listening port=3000 url=http://127.0.0.1:3000');
  });

  it("says an error's message, and where it came from at error level", () => {
    const line = JSON.stringify({ level: 'error', time: '2026-11-29T21:24:49.564Z', msg: 'could not publish', err: { type: 'KafkaJSError', message: 'broker down', stack: 'KafkaJSError: broker down\n    at a (x.ts:1)\n    at b (y.ts:2)' } });
    expect(prettyLine(line, false)).toBe('21:24:49 ERROR could not publish — KafkaJSError: broker down\n    at a (x.ts:1)\n    at b (y.ts:2)');
  });

  it('quotes values with spaces, shortens long ones, and passes through what is not JSON', () => {
    const line = JSON.stringify({ level: 'warn', time: '2026-11-29T21:24:49.564Z', msg: 'slow', reason: 'two words', body: 'x'.repeat(300) });
    const pretty = prettyLine(line, false);
    expect(pretty).toContain('reason="two words"');
    expect(pretty.length).toBeLessThan(220);
    expect(prettyLine('plain text\n', false)).toBe('plain text');
  });
});
