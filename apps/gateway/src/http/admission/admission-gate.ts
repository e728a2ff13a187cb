/** API routes admission control does not count: the streamed exports, long by nature. */
export const UNGATED_API_ROUTES = ['/api/v1/audit/export', '/api/v1/audit/access-review'] as const;

/** Why a request was not let in: the gateway is at its limit and the wait would be too long. */
export class OverloadedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OverloadedError';
  }
}

export interface AdmissionOptions {
  /**
   * The median answer time the limit steers toward; a window whose median took several of these
   * is a stall (the limit halves).
   */
  targetMs: number;
  /** Bounds of the concurrency limit. */
  minLimit: number;
  maxLimit: number;
  initialLimit: number;
  /** Requests waiting for a slot, at most; beyond that they are turned away at once. */
  maxQueue: number;
  /** How long a request may wait for a slot before it is turned away. */
  queueTimeoutMs: number;
  now?: () => number;
}

/** Gives a slot back; `abandoned` when its caller went away before any work was done. */
export type Release = (abandoned?: boolean) => void;

interface Waiter {
  admit: () => void;
  timer: NodeJS.Timeout;
}

/** Target intervals without a stalled answer before a cut limit may drift back up. */
const QUIET_TARGETS = 4;
/** A window's median answer slower than this many targets: a stall, and the limit halves. */
const STALL_TARGETS = 4;
/**
 * Answers a window needs before it is judged, under load (fewer, and noise steers the limit)
 * and under light load (one slow answer of two is not a stall); a window that runs to eight
 * targets is judged with what it has.
 */
const LOADED_ANSWERS = 100;
const LIGHT_ANSWERS = 5;
/**
 * How far one step moves the limit, as a fraction of it (at least one slot): a tenth, and each
 * further step up that paid half as much again, up to doubling it — so a limit cut to its floor
 * (a stall, a cold start) is back in about seven steps, and a turn starts small.
 */
const CLIMB_STEP = 0.1;
const CLIMB_STEP_MAX = 1;

/** What the answers of one window (at least two target intervals) came to. */
interface Window {
  /** When its first answer came (a window starts with an answer, not after a quiet spell). */
  startedAt: number;
  /** Answers whose request found the limit (nearly) all in use when it was let in. */
  busy: number;
  /** How long each answer took, in milliseconds (one entry an answer). */
  durations: number[];
}

/**
 * Admission control for the gateway: at most `limit` requests are worked on at once; a few more
 * wait briefly for a slot, the rest are turned away (503 with Retry-After) instead of queueing
 * without bound inside the services.
 *
 * The limit is steered window by window, on each window's median answer: within the target
 * while the limit is in use, up; beyond it, each step judged by what it did to latency (see
 * steer), so that the limit settles where answers meet the target when latency follows the
 * limit, and climbs back when cutting it buys nothing. A window whose median took several
 * targets is a stall (a service behind is down): the limit halves, so few wait on it. Under
 * light load, once no answer has stalled for a while, a cut limit drifts back to where it
 * started, no further.
 */
export class AdmissionGate {
  private limitValue: number;
  /** The limit it starts at, and returns to under light load. */
  private readonly restingLimit: number;
  private inFlightCount = 0;
  private readonly queue: Waiter[] = [];
  private window: Window;
  /** Which way the limit is going, and how far a step takes it. */
  private direction: 1 | -1 = 1;
  private step = CLIMB_STEP;
  /** The last judged window's median answer, and the size of the step taken after it (a fraction of the limit). */
  private lastTypicalMs: number | undefined;
  private lastStepFraction = 0;
  /** The last answer that took longer than a stall's median (STALL_TARGETS targets). */
  private lastStalled = Number.NEGATIVE_INFINITY;
  private settling = false;
  private readonly now: () => number;

  constructor(private readonly options: AdmissionOptions) {
    if (options.minLimit < 1 || options.maxLimit < options.minLimit) throw new Error('AdmissionGate: need 1 ≤ minLimit ≤ maxLimit');
    this.limitValue = Math.min(options.maxLimit, Math.max(options.minLimit, options.initialLimit));
    this.restingLimit = this.limitValue;
    this.now = options.now ?? (() => performance.now());
    this.window = this.newWindow();
  }

  get limit(): number {
    return Math.floor(this.limitValue);
  }

  get inFlight(): number {
    return this.inFlightCount;
  }

  get queued(): number {
    return this.queue.length;
  }

  /**
   * A slot at once, if one is free: the function to call when the work is done. Undefined when
   * none is: then `mayWait` says whether `acquire()` may queue for one, and `busyMessage()` why a
   * request is turned away (no Error made on the path that turns hundreds a second away).
   */
  tryAcquire(): Release | undefined {
    if (this.inFlightCount >= this.limit) return undefined;
    this.inFlightCount++;
    return this.releaseFor();
  }

  /** Whether a request that finds no free slot may wait for one. */
  get mayWait(): boolean {
    return this.queue.length < this.options.maxQueue;
  }

  /** No free slot and no room to wait: a request arriving now is turned away. */
  get full(): boolean {
    return this.inFlightCount >= this.limit && !this.mayWait;
  }

  busyMessage(): string {
    return `Gatehouse is busy (${this.inFlightCount} requests in progress, limit ${this.limit}); retry in a second`;
  }

  /**
   * Waits for a slot (briefly) and returns the function to call when the work is done; throws
   * OverloadedError when there is none to be had.
   */
  async acquire(): Promise<Release> {
    const release = this.tryAcquire();
    if (release) return release;
    if (!this.mayWait) throw new OverloadedError(this.busyMessage());
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        admit: () => {
          clearTimeout(waiter.timer);
          resolve();
        },
        timer: setTimeout(() => {
          const at = this.queue.indexOf(waiter);
          if (at >= 0) this.queue.splice(at, 1);
          reject(new OverloadedError(this.busyMessage()));
        }, this.options.queueTimeoutMs),
      };
      this.queue.push(waiter);
    });
    return this.releaseFor();
  }

  /**
   * The release of a slot just taken (counted in inFlight already). Released `abandoned` (its
   * caller went away before any work), the slot is freed without its time steering the limit.
   */
  private releaseFor(): Release {
    const started = this.now();
    const busyAtStart = this.inFlightCount >= this.limit * 0.8;
    let released = false;
    return (abandoned = false) => {
      if (released) return;
      released = true;
      if (!abandoned) this.count(this.now() - started, busyAtStart);
      this.free();
    };
  }

  private newWindow(): Window {
    return { startedAt: this.now(), busy: 0, durations: [] };
  }

  /** One answer into the current window; a window old and full enough is steered on. */
  private count(durationMs: number, busyAtStart: boolean): void {
    const now = this.now();
    const { targetMs } = this.options;
    if (durationMs > STALL_TARGETS * targetMs) this.lastStalled = now;
    const w = this.window;
    if (w.durations.length === 0) w.startedAt = now;
    w.durations.push(durationMs);
    if (busyAtStart) w.busy++;
    const elapsed = now - w.startedAt;
    if (elapsed < 2 * targetMs) return;
    const answers = w.durations.length;
    const loaded = w.busy * 4 >= answers;
    if (answers < (loaded ? LOADED_ANSWERS : LIGHT_ANSWERS) && elapsed < 8 * targetMs) return;
    this.steer(w, loaded, now);
    this.window = this.newWindow();
  }

  private steer(w: Window, loaded: boolean, now: number): void {
    const { targetMs, minLimit, maxLimit } = this.options;
    // The median, not the mean: one stalled request would move a mean by more than a step does.
    const typicalMs = median(w.durations);
    if (typicalMs > STALL_TARGETS * targetMs) {
      // At once, window after window while it lasts: these answers are what requests let in now
      // will wait for.
      this.limitValue = Math.max(minLimit, this.limitValue / 2);
      this.lastTypicalMs = undefined;
      this.direction = 1;
      this.step = CLIMB_STEP;
      this.settling = true;
      return;
    }
    if (!loaded) {
      // Light load: the limit is not what holds anything back, so there is nothing to climb.
      // A limit cut by an earlier stall drifts back to where it started (not beyond: only use
      // proves more) once no answer has stalled for a while — else light load, which never fills
      // it, would leave it cut, and the next burst would be turned away. Answers merely slower
      // than the target do not hold it (a workload's tail may always be); a stalled route does,
      // however many fast answers on cheap routes come between.
      this.lastTypicalMs = undefined;
      this.settling = false;
      if (this.limitValue < this.restingLimit && now - this.lastStalled >= QUIET_TARGETS * targetMs) {
        this.limitValue = Math.min(this.restingLimit, this.limitValue + this.stepOf());
      }
      return;
    }
    // The window after a step is the change settling in (answers to requests let in before it,
    // slots filling or draining): judged, it made every step up look worse than it was.
    if (this.settling) {
      this.settling = false;
      return;
    }
    // Within the target: latency is there to be spent on letting more in, so up, each step the
    // same way larger than the last (a limit cut by a stall or a cold start is back in a few).
    // Beyond it, down at first, then each step judged by what it did to latency: a cut goes on
    // while it buys at least half its size in latency, a rise (growing as within the target)
    // while it costs less than half its size — then the services behind answer more a second,
    // not only slower, and a doubling must cost less than half again; otherwise, or if the last
    // step could not be taken (the limit at a bound), the next turns.
    // Where the admitted work alone saturates the machine, latency follows the limit: cuts buy
    // it, and the limit comes down to where answers meet the target. Where it does not — work the
    // limit does not count, or services that work in batches a lower limit only makes smaller
    // and dearer — cuts buy nothing and the limit climbs back. Steered by latency alone the gate
    // cut itself to its floor there (session 23: ~100 created a second at a low limit, ~280 at a
    // higher one, at the same latency).
    const last = this.lastTypicalMs;
    if (typicalMs <= targetMs) {
      this.step = this.direction === 1 && last !== undefined ? Math.min(CLIMB_STEP_MAX, this.step * 1.5) : CLIMB_STEP;
      this.direction = 1;
    } else {
      const half = this.lastStepFraction / 2;
      const worked = last !== undefined && half > 0 && (this.direction === -1 ? typicalMs <= last * (1 - half) : typicalMs < last * (1 + half));
      if (worked && this.direction === 1) {
        this.step = Math.min(CLIMB_STEP_MAX, this.step * 1.5);
      } else {
        if (!worked) this.direction = last === undefined || this.direction === 1 ? -1 : 1;
        this.step = CLIMB_STEP;
      }
    }
    const from = this.limit;
    this.limitValue = Math.min(maxLimit, Math.max(minLimit, this.limitValue + this.direction * this.stepOf(this.step)));
    // In whole slots, as the limit is used; 0 when a bound stopped it.
    this.lastStepFraction = Math.abs(this.limit - from) / from;
    this.lastTypicalMs = typicalMs;
    this.settling = true;
  }

  private stepOf(fraction = CLIMB_STEP): number {
    return Math.max(1, this.limitValue * fraction);
  }

  /** Freed slots go to the longest waiters, as far as the (new) limit allows. */
  private free(): void {
    this.inFlightCount--;
    while (this.queue.length > 0 && this.inFlightCount < this.limit) {
      this.inFlightCount++;
      (this.queue.shift() as Waiter).admit();
    }
  }
}

/** The lower median (of two answers, the faster): sorts `values` in place. */
function median(values: number[]): number {
  values.sort((a, b) => a - b);
  return values[Math.floor((values.length - 1) / 2)] as number;
}
