import { budgetMs, currentDeadline, runWithDeadline } from './deadline';

describe('time budgets that nest', () => {
  const now = 1_000_000;

  it('keeps its own timeout when no caller is waiting', () => {
    expect(budgetMs(3000, undefined, now)).toBe(3000);
  });

  it('keeps its own timeout when the caller waits longer', () => {
    expect(budgetMs(3000, now + 5000, now)).toBe(3000);
  });

  it('waits no longer than the caller, less the reply trip', () => {
    expect(budgetMs(3000, now + 1000, now)).toBe(900); // a tenth kept back
    expect(budgetMs(3000, now + 100, now)).toBe(80); // at least 20 ms kept back
    expect(budgetMs(30000, now + 10000, now)).toBe(9750); // at most 250 ms
  });

  it('has nothing left when the caller has given up', () => {
    expect(budgetMs(3000, now + 10, now)).toBeLessThanOrEqual(0);
    expect(budgetMs(3000, now - 500, now)).toBeLessThan(0);
  });

  it('carries the deadline of the message being handled, and only inside it', () => {
    const deadline = new Date(now + 2000).toISOString();
    expect(runWithDeadline(deadline, () => currentDeadline())).toBe(now + 2000);
    expect(runWithDeadline(undefined, () => currentDeadline())).toBeUndefined();
    expect(currentDeadline()).toBeUndefined();
  });
});
