import { systemActor, type Principal } from '@gatehouse/contracts';
import type { Transaction } from '@gatehouse/messaging';
import type { TimerKind } from '../lifecycle/access-request';
import type { AccessRequestRepository } from '../lifecycle/access-request.repository';
import type { Authorizer } from '../policy/authorizer';
import type { FlowCatalog } from '../flows/flow-catalog';

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
export async function fireTimer(tx: Transaction, timer: DueTimer, requests: AccessRequestRepository, authorizer: Authorizer, flows: Pick<FlowCatalog, 'get'>): Promise<void> {
  const request = await requests.lock(tx, timer.request_id);
  if (!request) return;
  // Notices and the flow's own escalation rule, not moves of the request: nothing for the policy to allow.
  if (timer.kind === 'warn' || timer.kind === 'remind' || timer.kind === 'escalate') {
    if (timer.kind === 'warn') request.warnOfExpiry();
    else if (timer.kind === 'remind') request.remindApprovers();
    else request.escalate(flows.get(request.flow)?.approval.backupApprovers ?? { users: [], groups: [] });
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
