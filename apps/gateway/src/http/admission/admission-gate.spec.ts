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

  it('halves the limit when a window\'s median answer took several targets (a stall), never below its floor', async () => {
    const g = gate({ initialLimit: 10 });
    // One at a time (light load), each a second: the window of two runs to eight targets.
    await answerIn(g, 1000);
    expect(g.limit).toBe(10);
    await answerIn(g, 1000);
    expect(g.limit).toBe(5);
    for (let i = 0; i < 20; i++) {
      await answerIn(g, 1000);
    }
    expect(g.limit).toBe(2);
  });

  it('halves it too when a stall comes under load, where few answers come', async () => {
    const g = gate({ initialLimit: 10 });
    for (let round = 0; round < 2; round++) {
      const releases = await Promise.all(Array.from({ length: g.limit }, () => g.acquire()));
      clock += 1000;
      for (const release of releases) release();
    }
    // Twenty answers, not the hundred a loaded window wants: judged once it ran to eight targets.
    expect(g.limit).toBe(5);
  });

  it('does not take one slow answer for a stall, after a quiet spell or among a few', async () => {
    const g = gate({ initialLimit: 10 });
    await answerIn(g, 20);
    // A quiet minute, then one slow answer: a window starts with its first answer, so this one
    // is not judged alone.
    clock += 60_000;
    await answerIn(g, 1100);
    expect(g.limit).toBe(10);
    // Of two answers a window judges the faster.
    await answerIn(g, 20);
    clock += 1000;
    await answerIn(g, 1100);
    expect(g.limit).toBe(10);
  });

  it('grows the limit while it is in use and answers stay within the target, up to its ceiling', async () => {
    const g = gate({ initialLimit: 4, maxLimit: 6 });
    for (let round = 0; round < 400; round++) {
      const releases = await Promise.all(Array.from({ length: g.limit }, () => g.acquire()));
      clock += 20;
      for (const release of releases) release();
    }
    expect(g.limit).toBe(6);
    // Idle capacity is not grown: one request at a time never raises it.
    const idle = gate({ initialLimit: 4 });
    for (let i = 0; i < 500; i++) await answerIn(idle, 20);
    expect(idle.limit).toBe(4);
  });

  it('grows in larger steps the longer answers stay within the target, so a cut limit is soon back', () => {
    const g = gate({ targetMs: 100, minLimit: 4, maxLimit: 256, initialLimit: 4, maxQueue: 0 });
    // Saturated, every answer in 20 ms: within the target at any limit.
    const { limits } = saturate(g, 20, () => 20);
    const steps = new Set(limits).size;
    const reached64 = limits.findIndex((limit) => limit >= 64);
    // 4 → 64 in a handful of growing steps (a tenth, then half again each time), not sixty.
    expect(reached64).toBeGreaterThan(0);
    expect(reached64).toBeLessThan(100); // 10 s, sampled every 100 ms
    expect(steps).toBeLessThan(20);
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
    for (let i = 0; i < 20; i++) {
      await answerIn(g, 1000);
    }
    expect(g.limit).toBe(2);
    for (let spell = 0; spell < 10; spell++) {
      // One stalled answer (a route whose service is down)…
      await answerIn(g, 1000);
      // …among many fast ones on cheap routes, one at a time.
      for (let i = 0; i < 100; i++) {
        await answerIn(g, 1);
      }
    }
    expect(g.limit).toBe(2);
  });

  it('brings a cut limit back under light load whose tail is slower than the target, as long as nothing stalls', async () => {
    const g = gate({ initialLimit: 10, minLimit: 2 });
    for (let i = 0; i < 20; i++) {
      await answerIn(g, 1000);
    }
    expect(g.limit).toBe(2);
    for (let i = 0; i < 500; i++) {
      // One answer in ten slower than the target (100 ms), none near a stall.
      await answerIn(g, i % 10 === 0 ? 150 : 10);
    }
    expect(g.limit).toBe(10);
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
    // Counted, they would have started a window this answer, a second later, closes: a stall.
    clock += 1000;
    (releases[1] as () => void)();
    expect(g.limit).toBe(4);
    clock += 1000;
    (releases[2] as () => void)();
    expect(g.limit).toBe(2);
  });

  it('turns at a bound it cannot step past: latency beyond the target that no limit changes does not hold it at its floor', () => {
    const g = gate({ targetMs: 250, minLimit: 4, maxLimit: 256, initialLimit: 4, maxQueue: 0 });
    // Every answer 300 ms, however many are inside.
    const { limits } = saturate(g, 120, () => 300);
    expect(Math.max(...limits.slice(-300))).toBeGreaterThan(8);
  });

  it('holds a fixed limit (floor and ceiling alike) without error', () => {
    const g = gate({ targetMs: 100, minLimit: 8, maxLimit: 8, initialLimit: 8, maxQueue: 0 });
    const { limits, answered } = saturate(g, 60);
    expect(new Set(limits)).toEqual(new Set([8]));
    expect(answered).toBeGreaterThan(0);
  });

  it('counts a release once, however often it is called', async () => {
    const g = gate();
    const release = await g.acquire();
    release();
    release();
    expect(g.inFlight).toBe(0);
  });
  /**
   * A saturated system that batches: with `c` requests inside, it answers c / R(c) a second,
   * R(c) = (c + 40) / 400 s — more at once buys throughput (bigger batches behind) up to 400 a
   * second, and past c = 40 mostly waiting. Its power (answers a second over latency) is highest
   * at c = 40.
   */
  const batching = (c: number) => ((c + 40) / 400) * 1000;
  /** A saturated system that does not batch: 200 answers a second, however many are inside. */
  const fixedRate = (c: number) => (c / 200) * 1000;
  /**
   * Offers more than the system can take, so every free slot is filled at once; `latencyMs(c)`
   * is how long a request let in with c inside takes. Returns the limits the gate held, sampled
   * every 100 ms of simulated time, and what it answered.
   */
  const saturate = (g: AdmissionGate, seconds: number, latencyMs: (inside: number) => number = batching) => {
    const inside: { doneAt: number; release: () => void }[] = [];
    const limits: number[] = [];
    let answered = 0;
    // Each answer's time varies ±30 % (a fixed pseudo-random sequence), as real ones do: else
    // requests let in together finish together and move in waves.
    let seed = 1;
    const jitter = () => {
      seed = (seed * 48271) % 2147483647;
      return 0.7 + (0.6 * seed) / 2147483647;
    };
    for (let t = 0; t < seconds * 1000; t++) {
      clock = t;
      for (const r of inside.filter((r) => r.doneAt <= t)) {
        inside.splice(inside.indexOf(r), 1);
        r.release();
        answered++;
      }
      for (let release = g.tryAcquire(); release !== undefined; release = g.tryAcquire()) {
        inside.push({ doneAt: t + Math.max(1, Math.round(latencyMs(g.inFlight) * jitter())), release });
      }
      if (t % 100 === 0) limits.push(g.limit);
    }
    return { limits, answered };
  };
  /** Five simulated minutes saturated: the mean limit held over the last half, and what was answered. */
  const settle = (options: Partial<AdmissionOptions>, latencyMs: (inside: number) => number = batching) => {
    const { limits, answered } = saturate(gate({ minLimit: 2, maxLimit: 256, maxQueue: 0, ...options }), 300, latencyMs);
    const half = limits.slice(-1500);
    return { settled: half.reduce((a, b) => a + b, 0) / half.length, answered };
  };

  it('climbs out of a low limit when cuts buy no latency: the system behind batches, and every answer is slower than the target', () => {
    // Every answer is slower than the target here, whatever the limit (R(0) is 100 ms): steered
    // by latency alone, the gate cut itself to its floor, where this system answers 19 a second.
    const { settled, answered } = settle({ targetMs: 100, initialLimit: 4 });
    expect(settled).toBeGreaterThan(25);
    expect(settled).toBeLessThan(60);
    // At c = 40 it answers 200 a second; at the floor of 2, 19.
    expect(answered).toBeGreaterThan(300 * 150);
  });

  it('climbs from its floor to that point within seconds, not minutes (after a stall or a cold start)', () => {
    const g = gate({ targetMs: 100, minLimit: 2, maxLimit: 256, initialLimit: 2, maxQueue: 0 });
    const { limits } = saturate(g, 15);
    // Sampled every 100 ms: by 15 s it has been near the point (c = 40).
    expect(Math.max(...limits)).toBeGreaterThan(25);
  });

  it('comes down from a limit far past that point, where requests only wait', () => {
    const { settled } = settle({ targetMs: 100, initialLimit: 200 });
    expect(settled).toBeGreaterThan(25);
    expect(settled).toBeLessThan(60);
  });

  it('holds the latency target where latency follows the limit (a saturated system that does not batch)', () => {
    // 200 answers a second whatever the limit: answers take 100 ms with 20 inside.
    const { settled, answered } = settle({ targetMs: 100, initialLimit: 100 }, fixedRate);
    expect(settled).toBeGreaterThan(14);
    expect(settled).toBeLessThan(30);
    expect(answered).toBeGreaterThan(300 * 190);
  });

  it('lets in as much as its latency target allows', () => {
    // Answers within 300 ms up to c = 80: the gate climbs while within the target, then holds there.
    const { settled } = settle({ targetMs: 300, initialLimit: 4 });
    expect(settled).toBeGreaterThan(55);
    expect(settled).toBeLessThan(110);
  });
});
