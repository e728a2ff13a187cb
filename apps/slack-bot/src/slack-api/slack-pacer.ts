/**
 * Slack's published rate limits, per workspace: each Web API method has a tier (calls per
 * minute, with short bursts tolerated), and `chat.postMessage` allows about one message per
 * second per channel. Pacing to them here means a burst of work queues in slack-bot instead of
 * earning 429s; a 429's Retry-After still holds back every call of that method.
 */
const PER_MINUTE: Record<string, number> = {
  'chat.update': 50,
  'chat.delete': 50,
  'users.lookupByEmail': 50,
  'conversations.open': 50,
  'users.info': 100,
  'chat.postEphemeral': 100,
  'views.open': 100,
  'views.update': 100,
  'views.push': 100,
  'views.publish': 100,
  'auth.test': 100,
};
/** Methods Slack has not tiered for us are treated as Tier 3. */
const DEFAULT_PER_MINUTE = 50;
/** Bursts tolerated: a minute's calls at once for a tier (Slack counts per minute), three messages in a channel. */
const CHANNEL_BURST = 3;
const CHANNEL_INTERVAL_MS = 1000;

interface Lane {
  /** Generic cell rate algorithm: when the next call would be on schedule. */
  theoreticalArrival: number;
  readonly intervalMs: number;
  readonly burstToleranceMs: number;
}

export class SlackPacer {
  private readonly lanes = new Map<string, Lane>();
  private readonly blockedUntil = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Reserves a slot for one call and says how long to wait before making it (0: at once).
   * Every call reserves, so concurrent callers queue in order rather than all retrying.
   */
  reserve(method: string, channel?: string): number {
    const now = this.now();
    let wait = Math.max(0, (this.blockedUntil.get(method) ?? 0) - now);
    const perMinute = PER_MINUTE[method] ?? DEFAULT_PER_MINUTE;
    if (method !== 'chat.postMessage') {
      wait = Math.max(wait, this.take(`method:${method}`, now + wait, 60_000 / perMinute, perMinute));
    } else if (channel) {
      wait = Math.max(wait, this.take(`channel:${channel}`, now + wait, CHANNEL_INTERVAL_MS, CHANNEL_BURST));
    }
    return wait;
  }

  /** Slack said 429: no call of this method goes out before Retry-After has passed. */
  rateLimited(method: string, retryAfterSeconds: number): void {
    const until = this.now() + retryAfterSeconds * 1000;
    this.blockedUntil.set(method, Math.max(this.blockedUntil.get(method) ?? 0, until));
  }

  private take(key: string, at: number, intervalMs: number, burst: number): number {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { theoreticalArrival: at, intervalMs, burstToleranceMs: intervalMs * (burst - 1) };
      this.lanes.set(key, lane);
    }
    const arrival = Math.max(lane.theoreticalArrival, at);
    const wait = Math.max(0, arrival - lane.burstToleranceMs - at);
    lane.theoreticalArrival = arrival + lane.intervalMs;
    return at - this.now() + wait;
  }
}
