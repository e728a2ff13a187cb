import type { HeaderReader } from './okta-http';

/**
 * One budget per Okta endpoint family, shared by all the work of this process: calls are
 * counted down from what Okta's `X-Rate-Limit-Remaining` last said, and once a family is
 * spent every caller waits for its `X-Rate-Limit-Reset` instead of drawing 429s. (Replicas
 * each keep their own; Okta's 429 handling still catches what they spend between them.)
 */
export class RateLimitBudgets {
  private readonly families = new Map<string, { remaining: number; resetAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Resolves when a call may be made; the call is counted against the family at once. */
  async take(family: string): Promise<void> {
    for (;;) {
      const budget = this.families.get(family);
      if (!budget || this.now() >= budget.resetAt) return;
      if (budget.remaining > 0) {
        budget.remaining -= 1;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, budget.resetAt - this.now() + Math.random() * 200));
    }
  }

  /** What Okta said with its answer: the calls left in this window, and when it resets. */
  update(family: string, headers: HeaderReader): void {
    const remaining = Number(headers.get('x-rate-limit-remaining'));
    const reset = Number(headers.get('x-rate-limit-reset'));
    if (!Number.isFinite(remaining) || !Number.isFinite(reset) || reset <= 0 || headers.get('x-rate-limit-remaining') === null) return;
    const resetAt = reset * 1000;
    const current = this.families.get(family);
    // Answers to calls made earlier can arrive late and say more is left than we have counted.
    const sameWindow = current && Math.abs(current.resetAt - resetAt) < 1000;
    this.families.set(family, { remaining: sameWindow ? Math.min(current.remaining, remaining) : remaining, resetAt });
  }

  /** When a 429 arrives anyway, nothing more goes out until the reset. */
  exhaust(family: string, headers: HeaderReader): void {
    const reset = Number(headers.get('x-rate-limit-reset'));
    if (Number.isFinite(reset) && reset > 0) this.families.set(family, { remaining: 0, resetAt: reset * 1000 });
  }
}

/** Okta counts limits per endpoint family: user reads, group reads, membership changes. */
export function endpointFamily(method: string, path: string): string {
  if (/\/api\/v1\/groups\/[^/]+\/users\/[^/]+/.test(path) && method !== 'GET') return 'group-membership-writes';
  if (path.includes('/api/v1/groups')) return 'groups';
  return 'users';
}
