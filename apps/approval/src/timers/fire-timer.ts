import { systemActor, type Principal } from '@gatehouse/contracts';
import type { Transaction } from '@gatehouse/messaging';
import type { TimerKind } from '../lifecycle/access-request';
import type { AccessRequestRepository } from '../lifecycle/access-request.repository';
import type { Authorizer } from '../policy/authorizer';

export interface DueTimer {
  id: string;
  request_id: string;
  kind: TimerKind;
  due_at: Date;
}

const TIMERS: Principal = { actor: systemActor('timer'), scopes: [] };

/**
 * What a due timer does, inside the transaction that claimed it. A timer whose moment has
 * passed (the request moved on) does nothing.
 */
export async function fireTimer(tx: Transaction, timer: DueTimer, requests: AccessRequestRepository, authorizer: Authorizer): Promise<void> {
  const request = await requests.lock(tx, timer.request_id);
  if (!request) return;
  if (timer.kind === 'warn') {
    // A notice, not a move of the request: nothing for the policy to allow.
    request.warnOfExpiry();
    await requests.save(tx, request);
    return;
  }
  const action = timer.kind === 'timeout' ? 'request.timeout' : 'request.expire';
  const allowed = authorizer.check(action, TIMERS, request.forPolicy(), undefined);
  if (allowed.outcome !== 'allowed') throw new Error(`the policy refused the timers "${action}": ${allowed.message}`);
  if (timer.kind === 'timeout') request.timeOut(new Date(timer.due_at));
  else request.expire();
  await requests.save(tx, request);
}
