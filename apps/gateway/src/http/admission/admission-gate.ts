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
  /** Latency the limit steers toward: completions slower than this shrink it. */
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

/** Target intervals without a slow answer before a cut limit may drift back up. */
const QUIET_TARGETS = 4;

/**
 * Admission control for the gateway: at most `limit` requests are worked on at once; a few more
 * wait briefly for a slot, the rest are turned away (503 with Retry-After) instead of queueing
 * without bound inside the services. The limit adapts to what the system behind can do
 * (additive increase, multiplicative decrease, as TCP does): a completion slower than the
 * target shrinks it (at most once per target interval, so one slow burst is one step), and
 * completions within the target while the limit is in use grow it by about one per round; under
 * light load they bring a cut limit back up to its starting value.
 */
export class AdmissionGate {
  private limitValue: number;
  /** The limit it starts at, and returns to under light load. */
  private readonly restingLimit: number;
  private inFlightCount = 0;
  private readonly queue: Waiter[] = [];
  private lastDecrease = Number.NEGATIVE_INFINITY;
  private lastSlow = Number.NEGATIVE_INFINITY;
  private readonly now: () => number;

  constructor(private readonly options: AdmissionOptions) {
    if (options.minLimit < 1 || options.maxLimit < options.minLimit) throw new Error('AdmissionGate: need 1 ≤ minLimit ≤ maxLimit');
    this.limitValue = Math.min(options.maxLimit, Math.max(options.minLimit, options.initialLimit));
    this.restingLimit = this.limitValue;
    this.now = options.now ?? (() => performance.now());
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
      if (!abandoned) this.steer(this.now() - started, busyAtStart);
      this.free();
    };
  }

  private steer(durationMs: number, busyAtStart: boolean): void {
    const { targetMs, minLimit, maxLimit } = this.options;
    const now = this.now();
    if (durationMs > targetMs) {
      this.lastSlow = now;
      if (now - this.lastDecrease >= targetMs) {
        this.limitValue = Math.max(minLimit, this.limitValue * 0.8);
        this.lastDecrease = now;
      }
    } else if (busyAtStart) {
      this.limitValue = Math.min(maxLimit, this.limitValue + 1 / this.limitValue);
    } else if (this.limitValue < this.restingLimit && now - this.lastSlow >= QUIET_TARGETS * targetMs) {
      // Light load answered within the target, and nothing slow for a while: a limit cut by an
      // earlier slow spell drifts back to where it started (not beyond: only use proves more).
      // Else it would stay cut, since light load never fills it, and the next stall under light
      // load would turn requests away. Not while anything is still slow: fast answers on cheap
      // routes must not undo the cuts a stalled one is making.
      this.limitValue = Math.min(this.restingLimit, this.limitValue + 1 / this.limitValue);
    }
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
