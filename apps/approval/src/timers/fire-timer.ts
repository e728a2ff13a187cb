import { createEnvelope, type Transaction } from '@gatehouse/messaging';
import { SERVICE } from '../config';
import { AccessRequestEntity } from '../database/access-request.entity';
import { assertTransition } from '../lifecycle/transitions';
import { startRevoke } from '../saga/start-revoke';

export interface DueTimer {
  id: string;
  request_id: string;
  kind: 'timeout' | 'expire';
  due_at: Date;
}

/**
 * What a due timer does, inside the transaction that claimed it. A timer whose moment has
 * passed (the request moved on) does nothing.
 */
export async function fireTimer(tx: Transaction, timer: DueTimer): Promise<void> {
  const request = await tx.manager.findOne(AccessRequestEntity, { where: { id: timer.request_id }, lock: { mode: 'pessimistic_write' } });
  if (!request) return;
  if (timer.kind === 'timeout' && request.status === 'PENDING') {
    assertTransition(request.status, 'TIMED_OUT');
    await tx.manager.update(AccessRequestEntity, { id: request.id }, { status: 'TIMED_OUT', endedAt: new Date() });
    const afterSeconds = Math.round((new Date(timer.due_at).getTime() - new Date(request.createdAt).getTime()) / 1000);
    await tx.publish(createEnvelope('access.timed_out', request.id, { requestId: request.id, afterSeconds, status: 'TIMED_OUT' }, { source: SERVICE }));
  }
  if (timer.kind === 'expire' && request.status === 'ACTIVE') {
    await startRevoke(tx, request, request.ending ?? 'expired', undefined, request.endedBy ?? undefined);
  }
}
