import { HealthRegistry } from './health';

describe('HealthRegistry', () => {
  it('is up when every check answers', async () => {
    const registry = new HealthRegistry();
    registry.register('db', async () => undefined);
    registry.register('kafka', async () => undefined);
    const result = await registry.runAll();
    expect(result.status).toBe('up');
    expect(result.checks.map((c) => [c.name, c.status])).toEqual([
      ['db', 'up'],
      ['kafka', 'up'],
    ]);
  });

  it('is down, naming the failing dependency and why, when one check fails', async () => {
    const registry = new HealthRegistry();
    registry.register('db', async () => undefined);
    registry.register('kafka', async () => {
      throw new Error('connection refused');
    });
    const result = await registry.runAll();
    expect(result.status).toBe('down');
    expect(result.checks).toContainEqual(expect.objectContaining({ name: 'kafka', status: 'down', error: 'connection refused' }));
  });

  it('does not hang on a dependency that never answers', async () => {
    const registry = new HealthRegistry();
    registry.register('stuck', () => new Promise(() => undefined), 50);
    const started = Date.now();
    const result = await registry.runAll();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.checks[0]).toMatchObject({ status: 'down', error: 'no answer within 50 ms' });
  });
});
