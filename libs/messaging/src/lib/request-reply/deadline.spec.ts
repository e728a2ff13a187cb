import { budgetMs, currentDeadline, isExpired, releaseDeadline, runWithDeadline } from './deadline';

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

  it('is released once the caller has its answer, for work the handler left running too', async () => {
    const deadline = new Date(now + 2000).toISOString();
    let leftRunning: Promise<number | undefined> = Promise.resolve(undefined);
    await runWithDeadline(deadline, async () => {
      let answered!: () => void;
      const answer = new Promise<void>((resolve) => (answered = resolve));
      leftRunning = answer.then(() => currentDeadline());
      expect(currentDeadline()).toBe(now + 2000);
      releaseDeadline();
      answered();
    });
    expect(await leftRunning).toBeUndefined();
    expect(budgetMs(3000, currentDeadline(), now)).toBe(3000);
  });

  it('releases only its own message: another handled at the same time keeps its deadline', async () => {
    const first = runWithDeadline(new Date(now + 1000).toISOString(), async () => {
      await Promise.resolve();
      releaseDeadline();
      return currentDeadline();
    });
    const second = runWithDeadline(new Date(now + 2000).toISOString(), async () => {
      await Promise.resolve();
      await Promise.resolve();
      return currentDeadline();
    });
    expect(await Promise.all([first, second])).toEqual([undefined, now + 2000]);
  });

  it('tells an expired message from one still awaited', () => {
    expect(isExpired(undefined, now)).toBe(false);
    expect(isExpired(new Date(now + 1).toISOString(), now)).toBe(false);
    expect(isExpired(new Date(now).toISOString(), now)).toBe(true);
    expect(isExpired(new Date(now - 1).toISOString(), now)).toBe(true);
  });
});
