/**
 * kafkajs 2.2.4 (its last release) runs a timer loop on every broker connection, forever: each
 * response calls `scheduleCheckPendingRequests`, which, with nothing pending and no throttle,
 * sets a timeout of `throttledUntil - now` (negative, so 1 ms) whose callback schedules the next
 * one (tulios/kafkajs#1556, #1604, #1704; the fixes are unmerged). A service holds several
 * connections, so each idle service spent ~4 % of a core firing thousands of empty timers a
 * second, and more under load. Here a check is scheduled only when something waits for it: a
 * pending request (as before: at the throttle's end, or in 10 ms) or a throttle still running.
 * Nothing is lost: a request that cannot be sent at once is queued by `push`, which schedules a
 * check, and every response checks the queue.
 */
// kafkajs's own module: the class every connection's queue is made from (no public type).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RequestQueue = require('kafkajs/src/network/requestQueue') as { prototype: RequestQueueInternals };

/** The fields of kafkajs's RequestQueue the scheduling reads and writes. */
interface RequestQueueInternals {
  throttledUntil: number;
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  pending: unknown[];
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** kafkajs's interval for retrying pending requests when not throttled. */
const CHECK_PENDING_REQUESTS_INTERVAL = 10;

let applied = false;

export function applyRequestQueueFix(): void {
  if (applied) return;
  applied = true;
  RequestQueue.prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: RequestQueueInternals): void {
    if (this.throttleCheckTimeoutId) return;
    const untilUnthrottled = this.throttledUntil - Date.now();
    let delay: number;
    if (this.pending.length > 0) delay = untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_REQUESTS_INTERVAL;
    else if (untilUnthrottled > 0) delay = untilUnthrottled;
    else return;
    this.throttleCheckTimeoutId = setTimeout(() => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    }, delay);
  };
}

/** For tests: the class whose queues this changes. */
export const requestQueuePrototype: RequestQueueInternals = RequestQueue.prototype;
