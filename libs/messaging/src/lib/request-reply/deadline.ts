import { handlingScope } from './handling-scope';

/** Runs a handler under its caller's deadline, so the requests it makes wait no longer. */
export function runWithDeadline<T>(deadline: string | undefined, fn: () => T): T {
  const at = deadline ? Date.parse(deadline) : undefined;
  return handlingScope.run({ deadlineAt: at !== undefined && Number.isFinite(at) ? at : undefined }, fn);
}

export function currentDeadline(): number | undefined {
  return handlingScope.getStore()?.deadlineAt;
}

/**
 * The caller has its answer: from now on, requests made in this context (by work the handler
 * started and did not wait for, a Bolt listener after its ack, say) wait their own timeouts.
 * Call it where the answer is given.
 */
export function releaseDeadline(): void {
  const scope = handlingScope.getStore();
  if (scope) scope.deadlineAt = undefined;
}

/**
 * What is kept back from the time left for the reply's own trip to the caller: a tenth of
 * it, at least 20 ms, at most 250 ms.
 */
export function replyReserveMs(leftMs: number): number {
  return Math.min(250, Math.max(20, leftMs / 10));
}

/**
 * How long a request may wait: its own timeout, or less when it is made while handling a
 * message whose caller gives up sooner. Zero or less means there is no time left to ask.
 */
export function budgetMs(timeoutMs: number, deadline: number | undefined = currentDeadline(), now = Date.now()): number {
  if (deadline === undefined) return timeoutMs;
  const left = deadline - now;
  return Math.min(timeoutMs, Math.floor(left - replyReserveMs(left)));
}

/** A query whose caller has stopped waiting is not worth answering (commands are still handled). */
export function isExpired(deadline: string | undefined, now = Date.now()): boolean {
  return deadline !== undefined && Date.parse(deadline) <= now;
}
