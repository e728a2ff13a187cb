import { endpointFamily, RateLimitBudgets } from './rate-limit-budgets';

const headers = (remaining: number, resetSeconds: number) =>
  new Headers({ 'x-rate-limit-limit': '600', 'x-rate-limit-remaining': String(remaining), 'x-rate-limit-reset': String(resetSeconds) });

describe('RateLimitBudgets', () => {
  it('lets calls through while Okta says some are left, counting them down locally', async () => {
    const budgets = new RateLimitBudgets();
    const reset = Math.ceil(Date.now() / 1000) + 1;
    budgets.update('users', headers(2, reset));
    await budgets.take('users');
    await budgets.take('users');
    let third = false;
    const waiting = budgets.take('users').then(() => (third = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(third).toBe(false); // spent: waits for the reset instead of drawing a 429
    await waiting;
    expect(third).toBe(true);
  });

  it('goes again once the window has reset', async () => {
    let now = 1_000_000;
    const budgets = new RateLimitBudgets(() => now);
    budgets.exhaust('users', headers(0, 1_001));
    now = 1_001_000;
    await budgets.take('users');
  });

  it('trusts the lower count when late answers say more is left', () => {
    const budgets = new RateLimitBudgets();
    const reset = Math.ceil(Date.now() / 1000) + 60;
    budgets.update('users', headers(5, reset));
    budgets.update('users', headers(9, reset));
    expect((budgets as unknown as { families: Map<string, { remaining: number }> }).families.get('users')?.remaining).toBe(5);
  });

  it('sorts calls into Okta’s endpoint families', () => {
    expect(endpointFamily('PUT', '/api/v1/groups/00g1/users/00u1')).toBe('group-membership-writes');
    expect(endpointFamily('DELETE', '/api/v1/groups/00g1/users/00u1')).toBe('group-membership-writes');
    expect(endpointFamily('GET', '/api/v1/groups/00g1/users')).toBe('groups');
    expect(endpointFamily('GET', '/api/v1/users/ada%40example.com')).toBe('users');
  });
});
