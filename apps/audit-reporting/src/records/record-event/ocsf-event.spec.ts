import { ACCESS_EVENT_TYPES, AUDITED_PROVISIONING_EVENT_TYPES, AUDITED_SLACK_EVENT_TYPES, type AuditRecord, type Envelope, type OcsfAuditEvent } from '@gatehouse/contracts';
import { expectValidOcsf, ocsfProblems } from '@gatehouse/testing';
import { auditedLifeOfARequest, otherEndings } from '../../test/audited-events';
import { buildAuditRecord, GENESIS_HASH } from './audit-record';
import { factsAfter, type RequestFacts } from './ocsf-event';

/** Builds the chain as audit-reporting does: each record with what earlier ones said of its request. */
function chainOf(events: readonly Envelope[]): AuditRecord[] {
  const facts = new Map<string, RequestFacts>();
  let previous = GENESIS_HASH;
  return events.map((event, i) => {
    const before = facts.get(event.subject) ?? {};
    const record = buildAuditRecord(event, previous, BigInt(i + 1), new Date('2026-11-29T10:00:00Z'), before);
    facts.set(event.subject, factsAfter(event, before));
    previous = record.hash;
    return record;
  });
}
const ocsf = (record: AuditRecord | undefined) => record?.data as OcsfAuditEvent;

describe('audit records are OCSF 1.8.0 events', () => {
  const records = chainOf([...auditedLifeOfARequest(), ...otherEndings()]);
  const of = (type: string) => records.filter((r) => r.type === type);

  it('covers every audited event type, and each validates against the OCSF class it claims', () => {
    const audited = new Set<string>([...ACCESS_EVENT_TYPES, ...AUDITED_PROVISIONING_EVENT_TYPES, ...AUDITED_SLACK_EVENT_TYPES]);
    expect(new Set(records.map((r) => r.type))).toEqual(audited);
    expect(() => expectValidOcsf(records)).not.toThrow();
  });

  it('maps the lifecycle to Entity Management, access to User Access Management, Okta membership to Group Management', () => {
    const classOf = (type: string) => [ocsf(of(type)[0]).class_uid, ocsf(of(type)[0]).activity_name];
    expect(classOf('access.requested')).toEqual([3004, 'Create']);
    expect(classOf('access.approved')).toEqual([3004, 'Update']);
    expect(classOf('access.denied')).toEqual([3004, 'Update']);
    expect(classOf('access.activated')).toEqual([3005, 'Assign Privileges']);
    expect(classOf('access.ended')).toEqual([3005, 'Revoke Privileges']);
    expect(classOf('provisioning.granted')).toEqual([3006, 'Add User']);
    expect(classOf('provisioning.revoked')).toEqual([3006, 'Remove User']);
    expect(of('access.activated')[0]?.dataschema).toBe('https://schema.ocsf.io/1.8.0/classes/user_access');
    for (const r of records) expect(ocsf(r).type_uid).toBe(ocsf(r).class_uid * 100 + ocsf(r).activity_id);
  });

  it('names actor, target, flow, decision, reason, state before and after and correlation id', () => {
    const approved = ocsf(of('access.approved')[0]);
    expect(approved.actor.user).toMatchObject({ email_addr: 'dba1@example.com', full_name: 'Dee Bea', uid_alt: 'U0DBA1' });
    expect(approved.entity).toMatchObject({ type: 'Access Request', name: 'production-database/read-only', data: { status: 'PENDING' } });
    expect(approved.entity_result).toMatchObject({ data: { status: 'APPROVED', flow: 'production-database', target: 'read-only', requester: 'ada@example.com' } });
    expect(approved.metadata).toMatchObject({ version: '1.8.0', uid: of('access.approved')[0]?.id, correlation_uid: of('access.approved')[0]?.correlationid, event_code: 'access.approved' });
    expect(ocsf(of('access.requested')[0]).comment).toBe('INC-42 slow queries');
    expect(ocsf(of('access.denied')[0]).comment).toBe('not during the freeze');
    // An event that carries only the request id still names the request, from earlier records.
    const ended = ocsf(of('access.ended')[0]);
    expect(ended.user).toMatchObject({ email_addr: 'ada@example.com' });
    expect(ended.privileges).toEqual(['production-database/read-only']);
    expect(ended.unmapped.gatehouse.request).toMatchObject({ statusBefore: 'ACTIVE', statusAfter: 'EXPIRED', flow: 'production-database' });
    expect(ocsf(of('access.cancelled')[0]).entity_result).toMatchObject({ name: 'production-database/read-only', data: { status: 'CANCELLED' } });
    const added = ocsf(of('provisioning.granted')[0]);
    expect([added.group?.uid, added.user?.email_addr]).toEqual(['00g1readonly', 'ada@example.com']);
  });

  it('says what failed, and who was refused and why', () => {
    const refused = ocsf(of('access.refused')[0]);
    expect([refused.status, refused.status_code, refused.status_detail]).toEqual(['Failure', 'self_approval', 'ada@example.com may not approve their own request']);
    expect(ocsf(of('access.grant_failed')[0])).toMatchObject({ class_uid: 3005, status: 'Failure', status_detail: 'no such Okta user ada@example.com' });
    expect(ocsf(of('slack.delivery_failed')[0]).message).toContain('not_in_channel');
  });

  it('keeps the event whole in unmapped, so nothing it said is lost', () => {
    const event = auditedLifeOfARequest()[0] as Envelope;
    expect(ocsf(chainOf([event])[0]).unmapped.gatehouse).toMatchObject({ type: 'access.requested', by: 'ada@example.com (api)', details: event.data });
  });

  it('is caught when it breaks the class: a validator that can fail', () => {
    const record = records[0] as AuditRecord;
    const broken = { ...record, data: { ...ocsf(record), entity: undefined, activity_id: 42 } } as unknown as AuditRecord;
    expect(ocsfProblems(broken).join('\n')).toMatch(/entity|activity_id/);
    expect(ocsfProblems({ ...record, dataschema: 'https://schema.ocsf.io/1.8.0/classes/user_access' })).toHaveLength(1);
  });
});
