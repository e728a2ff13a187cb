import { AdmissionGate, OverloadedError, type AdmissionOptions } from './admission-gate';

describe('AdmissionGate', () => {
  let clock = 0;
  const gate = (options: Partial<AdmissionOptions> = {}) =>
    new AdmissionGate({ targetMs: 100, minLimit: 2, maxLimit: 64, initialLimit: 4, maxQueue: 2, queueTimeoutMs: 50, now: () => clock, ...options });

  beforeEach(() => {
    clock = 0;
    jest.useFakeTimers();
  });
  afterEach(() => jest.useRealTimers());

  /** One request let in and answered `ms` later. */
  const answerIn = async (g: AdmissionGate, ms: number) => {
    const release = await g.acquire();
    clock += ms;
    release();
  };

  it('lets in up to its limit, queues a few in arrival order, and turns the rest away at once', async () => {
    const g = gate();
    const releases = await Promise.all([g.acquire(), g.acquire(), g.acquire(), g.acquire()]);
    expect(g.inFlight).toBe(4);
    const order: string[] = [];
    const first = g.acquire().then((release) => (order.push('first'), release));
    const second = g.acquire().then((release) => (order.push('second'), release));
    expect(g.queued).toBe(2);
    await expect(g.acquire()).rejects.toThrow(OverloadedError);
    expect(g.tryAcquire()).toBeUndefined();
    expect(g.mayWait).toBe(false);
    (releases[0] as () => void)();
    (releases[1] as () => void)();
    await Promise.all([first, second]);
    expect(order).toEqual(['first', 'second']);
    expect(g.inFlight).toBe(4);
  });

  it('turns away a request that waited longer than the queue timeout, saying why', async () => {
    const g = gate();
    await Promise.all([g.acquire(), g.acquire(), g.acquire(), g.acquire()]);
    const waiting = g.acquire();
    jest.advanceTimersByTime(51);
    await expect(waiting).rejects.toThrow('Gatehouse is busy (4 requests in progress, limit 4); retry in a second');
    expect(g.queued).toBe(0);
    expect(g.inFlight).toBe(4);
  });

  it('shrinks the limit when completions are slower than the target, one step per target interval', async () => {
    const g = gate({ initialLimit: 10 });
    const releases = await Promise.all(Array.from({ length: 10 }, () => g.acquire()));
    clock = 500;
    for (const release of releases.slice(0, 5)) release();
    expect(g.limit).toBe(8);
    clock = 650;
    for (const release of releases.slice(5)) release();
    expect(g.limit).toBe(6);
    expect(g.inFlight).toBe(0);
    // Never below its floor.
    for (let i = 0; i < 20; i++) {
      await answerIn(g, 1000);
    }
    expect(g.limit).toBe(2);
  });

  it('grows the limit while it is in use and answers stay within the target, up to its ceiling', async () => {
    const g = gate({ initialLimit: 4, maxLimit: 6 });
    for (let round = 0; round < 40; round++) {
      const releases = await Promise.all(Array.from({ length: g.limit }, () => g.acquire()));
      clock += 20;
      for (const release of releases) release();
    }
    expect(g.limit).toBe(6);
    // Idle capacity is not grown: one request at a time never raises it.
    const idle = gate({ initialLimit: 4 });
    for (let i = 0; i < 50; i++) (await idle.acquire())();
    expect(idle.limit).toBe(4);
  });

  it('brings a limit cut by a slow spell back to where it started once light load is answered in time, and no further', async () => {
    const g = gate({ initialLimit: 10, minLimit: 2 });
    // A stall: slow completions cut the limit to its floor.
    for (let i = 0; i < 20; i++) {
      await answerIn(g, 1000);
    }
    expect(g.limit).toBe(2);
    // Then light load (one at a time, well within the target), as at a steady low rate.
    clock += 400;
    for (let i = 0; i < 500; i++) {
      await answerIn(g, 10);
    }
    expect(g.limit).toBe(10);
    // So a burst of ten that arrives now is let in, where the cut limit let in two and turned
    // the rest away.
    const burst = await Promise.all(Array.from({ length: 10 }, () => g.acquire()));
    expect(g.inFlight).toBe(10);
    for (const release of burst) release();
  });

  it('keeps a cut limit cut while some answers are still slow, however many fast ones come between', async () => {
    const g = gate({ initialLimit: 10, minLimit: 2 });
    for (let spell = 0; spell < 10; spell++) {
      // One slow answer (a stalled route)…
      await answerIn(g, 150);
      // …among many fast ones on cheap routes, one at a time.
      for (let i = 0; i < 100; i++) {
        await answerIn(g, 1);
      }
    }
    expect(g.limit).toBe(2);
  });

  it('frees the slot of an abandoned request without letting its time steer the limit; says when it is full', async () => {
    const g = gate({ initialLimit: 4, maxQueue: 1 });
    const releases = await Promise.all(Array.from({ length: 4 }, () => g.acquire()));
    expect(g.full).toBe(false);
    const waiting = g.acquire();
    expect(g.full).toBe(true);
    clock += 1000;
    (releases[0] as (abandoned?: boolean) => void)(true);
    (await waiting)(true);
    expect(g.limit).toBe(4);
    expect(g.inFlight).toBe(3);
    // Counted, the same second would have cut it.
    (releases[1] as () => void)();
    expect(g.limit).toBe(3);
  });

  it('counts a release once, however often it is called', async () => {
    const g = gate();
    const release = await g.acquire();
    release();
    release();
    expect(g.inFlight).toBe(0);
  });
});
