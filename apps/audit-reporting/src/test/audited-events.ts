import { randomUUID } from 'node:crypto';
import type { Envelope, MessageInput, MessageType } from '@gatehouse/contracts';
import { createEnvelope } from '@gatehouse/messaging';

const ada = { kind: 'person' as const, channel: 'api' as const, person: { email: 'ada@example.com' } };
const dba = { kind: 'person' as const, channel: 'slack' as const, person: { email: 'dba1@example.com', displayName: 'Dee Bea', slackUserId: 'U0DBA1' }, identity: 'linked' as const };
const timer = { kind: 'system' as const, channel: 'system' as const, component: 'timer' as const };
const provisioning = { kind: 'system' as const, channel: 'system' as const, component: 'provisioning' as const };

/** A new request by Ada for read-only on production-database, as approval publishes it. */
export function accessRequested(requestId: string = randomUUID(), reason = 'INC-42 slow queries'): Envelope {
  return createEnvelope(
    'access.requested',
    requestId,
    { requestId, requester: { email: 'ada@example.com' }, actor: ada, flow: 'production-database', target: 'read-only', durationSeconds: 3600, reason, status: 'PENDING', awaitsApproval: true, requestedAt: new Date().toISOString() },
    { source: 'approval' },
  );
}

/**
 * One request's whole life as the events every service publishes, in order, one of each type
 * audit-reporting records (plus the account-link events, keyed by Slack user): a fixture the
 * audit specs build records from.
 */
export function auditedLifeOfARequest(requestId: string = randomUUID()): Envelope[] {
  const grantId = randomUUID();
  const at = (minute: number) => new Date(Date.UTC(2026, 10, 29, 9, minute)).toISOString();
  const event = <T extends MessageType>(type: T, data: MessageInput<T>, subject = requestId) => createEnvelope(type, subject, data, { source: type.startsWith('provisioning') ? 'provisioning-okta' : type.startsWith('access') ? 'approval' : 'slack-bot' });
  const requester = { email: 'ada@example.com' };
  return [
    accessRequested(requestId),
    event('access.refused', { requestId, actor: ada, action: 'request.approve', code: 'self_approval', message: 'ada@example.com may not approve their own request' }),
    event('slack.delivery_failed', { requestId, actor: { kind: 'system', channel: 'system', component: 'slack-bot' }, method: 'chat.postMessage', destination: 'C0ACCESS01', purpose: 'approval message', error: 'not_in_channel', description: 'invite the app to the channel', attempts: 1 }),
    event('access.approvers_reminded', { requestId, approvals: 0, required: 2, waitingSince: at(0), actor: timer, status: 'PENDING' }),
    event('access.escalated', { requestId, backupApprovers: { users: ['boss@example.com'], groups: [] }, waitingSince: at(0), actor: timer, status: 'PENDING' }),
    event('access.decision.recorded', { requestId, actor: dba, approvals: 1, required: 2, status: 'PENDING' }),
    event('access.approved', { requestId, actor: dba, approvers: [dba.person], requester, flow: 'production-database', target: 'read-only', durationSeconds: 3600, status: 'APPROVED' }),
    event('access.granting', { requestId, grantId, oktaGroupId: '00g1readonly', actor: provisioning, status: 'GRANTING' }),
    event('provisioning.granted', { requestId, grantId, grantedAt: at(5), user: requester, oktaGroupId: '00g1readonly', actor: provisioning }),
    event('access.activated', { requestId, grantId, grantedAt: at(5), expiresAt: at(65), actor: provisioning, status: 'ACTIVE' }),
    event('access.expiring', { requestId, expiresAt: at(65), actor: timer, status: 'ACTIVE' }),
    event('access.revoking', { requestId, grantId, why: 'expired', actor: timer, status: 'ACTIVE' }),
    event('access.revoke_failed', { requestId, grantId, cause: 'Okta answered 503', actor: provisioning, status: 'ACTIVE' }),
    event('provisioning.revoked', { requestId, grantId, revokedAt: at(66), user: requester, oktaGroupId: '00g1readonly', membership: 'removed', actor: provisioning }),
    event('access.ended', { requestId, grantId, revokedAt: at(66), actor: provisioning, status: 'EXPIRED' }),
    event('provisioning.reconciled', { requestId, grantId, action: 'membership_removed_outside', user: requester, oktaGroupId: '00g1readonly', detail: 'someone removed the membership in Okta', actor: { kind: 'system', channel: 'system', component: 'reconciliation' } }),
    event('identity.linked', { actor: dba, slackUserId: 'U0DBA1', email: 'dba1@example.com', issuer: 'https://example.okta.com', subject: '00u1dba' }, 'U0DBA1'),
    event('identity.unlinked', { actor: dba, slackUserId: 'U0DBA1', email: 'dba1@example.com' }, 'U0DBA1'),
  ];
}

/** Requests that end otherwise: denied, cancelled, timed out, failed to grant. */
export function otherEndings(): Envelope[] {
  const ask = (requestId: string) => accessRequested(requestId);
  const actor = { kind: 'person' as const, channel: 'api' as const, person: { email: 'dba1@example.com' } };
  const [denied, cancelled, timedOut, failed] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  return [
    ask(denied),
    createEnvelope('access.denied', denied, { requestId: denied, actor, reason: 'not during the freeze', requester: { email: 'ada@example.com' }, status: 'DENIED' }, { source: 'approval' }),
    ask(cancelled),
    createEnvelope('access.cancelled', cancelled, { requestId: cancelled, actor: { kind: 'person', channel: 'api', person: { email: 'ada@example.com' } }, status: 'CANCELLED' }, { source: 'approval' }),
    ask(timedOut),
    createEnvelope('access.timed_out', timedOut, { requestId: timedOut, afterSeconds: 3600, actor: { kind: 'system', channel: 'system', component: 'timer' }, status: 'TIMED_OUT' }, { source: 'approval' }),
    ask(failed),
    createEnvelope('access.grant_failed', failed, { requestId: failed, grantId: randomUUID(), cause: 'no such Okta user ada@example.com', actor: { kind: 'system', channel: 'system', component: 'provisioning' }, status: 'GRANT_FAILED' }, { source: 'approval' }),
  ];
}
