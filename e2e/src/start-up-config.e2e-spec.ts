import { runTs } from '@gatehouse/testing';

/** A person who mistypes a variable learns which one, and the service does not half-start. */
describe('start-up configuration', () => {
  function start(entry: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
    const child = runTs(entry, [], env);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
  }

  it('stops with a message naming each invalid variable', async () => {
    const { code, stderr } = await start('apps/approval/src/main.ts', { PORT: 'eighty', KAFKA_BROKERS: 'no-port-here' });
    expect(code).toBe(1);
    expect(stderr).toContain('approval: Invalid configuration');
    expect(stderr).toMatch(/PORT: /);
    expect(stderr).toMatch(/KAFKA_BROKERS.*host:port/);
  });

  it('requires the connection settings in production instead of guessing', async () => {
    const { code, stderr } = await start('apps/gateway/src/main.ts', { NODE_ENV: 'production', KAFKA_BROKERS: '', DATABASE_URL: '' });
    expect(code).toBe(1);
    expect(stderr).toContain('KAFKA_BROKERS: is required but missing');
    expect(stderr).toContain('DATABASE_URL: is required but missing');
  });
});
