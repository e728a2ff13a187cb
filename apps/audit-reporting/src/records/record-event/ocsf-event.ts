import { describeActor, OCSF_CLASSES, OCSF_VERSION, type Actor, type Envelope, type OcsfAuditEvent, type OcsfClassUid, type Person } from '@gatehouse/contracts';

/**
 * What audit-reporting remembers of a request from its earlier records (`audit.request_facts`),
 * so that every record names the flow, target, requester and the status before, even when its
 * own event carries only the request id.
 */
export interface RequestFacts {
  flow?: string;
  target?: string;
  requester?: string;
  oktaGroupId?: string;
  status?: string;
}

type Data = Record<string, unknown>;
type Outcome = { id: 1 | 2 | 99; detail?: string; code?: string };

interface Mapping {
  classUid: OcsfClassUid;
  activityId: number;
  /** Set for activity 99 (Other): what it was. */
  activityName?: string;
  words: (data: Data, facts: RequestFacts) => string;
  outcome?: (data: Data) => Outcome;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);
const failed = (data: Data): Outcome => ({ id: 2, detail: str(data['cause']) ?? str(data['message']) ?? str(data['description']) });
const privilege = (facts: RequestFacts) => (facts.flow && facts.target ? `${facts.flow}/${facts.target}` : 'access');

/**
 * The OCSF class and activity of each audited event: the request's life as Entity Management
 * (3004; requested = Create, decisions and outcomes = Update), access granted and ended as
 * User Access Management (3005), the Okta membership itself as Group Management (3006).
 */
const MAPPINGS: Record<string, Mapping> = {
  'access.requested': { classUid: 3004, activityId: 1, words: (_, f) => `requested ${privilege(f)}` },
  'access.decision.recorded': { classUid: 3004, activityId: 3, words: (d) => `recorded an approval (${String(d['approvals'] ?? '?')} of ${String(d['required'] ?? '?')})` },
  'access.approved': { classUid: 3004, activityId: 3, words: () => 'approved the request' },
  'access.denied': { classUid: 3004, activityId: 3, words: (d) => `denied the request${str(d['reason']) ? `: ${str(d['reason'])}` : ''}` },
  'access.refused': { classUid: 3004, activityId: 3, words: (d) => `was refused ${String(d['action'] ?? 'an action')}: ${String(d['message'] ?? '')}`, outcome: (d) => ({ id: 2, detail: str(d['message']), code: str(d['code']) }) },
  'access.approvers_reminded': { classUid: 3004, activityId: 99, activityName: 'Remind Approvers', words: () => 'reminded the approvers' },
  'access.escalated': { classUid: 3004, activityId: 3, words: () => 'escalated the request to the backup approvers' },
  'access.expiring': { classUid: 3004, activityId: 99, activityName: 'Warn Expiry', words: (d) => `warned that access expires at ${String(d['expiresAt'] ?? '?')}` },
  'access.cancelled': { classUid: 3004, activityId: 3, words: () => 'cancelled the request' },
  'access.timed_out': { classUid: 3004, activityId: 3, words: (d) => `timed the request out after ${String(d['afterSeconds'] ?? '?')} s` },
  'access.granting': { classUid: 3004, activityId: 3, words: (d) => `started granting ${String(d['oktaGroupId'] ?? 'access')}` },
  'access.revoking': { classUid: 3004, activityId: 3, words: (d) => `started taking access away (${String(d['why'] ?? '?')})` },
  'access.activated': { classUid: 3005, activityId: 1, words: (d, f) => `granted ${privilege(f)} to ${f.requester ?? '?'} until ${String(d['expiresAt'] ?? '?')}` },
  'access.grant_failed': { classUid: 3005, activityId: 1, words: (d, f) => `could not grant ${privilege(f)}: ${String(d['cause'] ?? '')}`, outcome: failed },
  'access.ended': { classUid: 3005, activityId: 2, words: (d, f) => `ended ${privilege(f)} for ${f.requester ?? '?'} (${String(d['status'] ?? '?').toLowerCase()})` },
  'access.revoke_failed': { classUid: 3005, activityId: 2, words: (d, f) => `could not take ${privilege(f)} away: ${String(d['cause'] ?? '')}`, outcome: failed },
  'provisioning.granted': { classUid: 3006, activityId: 3, words: (d) => `added ${emailIn(d) ?? '?'} to Okta group ${String(d['oktaGroupId'] ?? '?')}` },
  'provisioning.revoked': {
    classUid: 3006,
    activityId: 4,
    words: (d) => `removed ${emailIn(d) ?? '?'} from Okta group ${String(d['oktaGroupId'] ?? '?')}${d['membership'] && d['membership'] !== 'removed' ? ` (${membershipWords(d['membership'])})` : ''}`,
    outcome: (d) => (d['membership'] === undefined || d['membership'] === 'removed' ? { id: 1 } : { id: 99, detail: membershipWords(d['membership']) }),
  },
  'provisioning.reconciled': { classUid: 3006, activityId: 99, activityName: 'Reconcile', words: (d) => `reconciled Okta group ${String(d['oktaGroupId'] ?? '?')}: ${String(d['detail'] ?? '')}` },
  'slack.delivery_failed': { classUid: 3004, activityId: 99, activityName: 'Notify', words: (d) => `could not deliver the ${String(d['purpose'] ?? 'message')} to ${String(d['destination'] ?? '?')}: ${String(d['error'] ?? '')}`, outcome: failed },
  'identity.linked': { classUid: 3004, activityId: 1, words: (d) => `linked Slack user ${String(d['slackUserId'] ?? '?')} to ${String(d['email'] ?? '?')}` },
  'identity.unlinked': { classUid: 3004, activityId: 4, words: (d) => `unlinked Slack user ${String(d['slackUserId'] ?? '?')} from ${String(d['email'] ?? '?')}` },
};

/** An event of a type with no mapping yet is still recorded, as Entity Management: Other. */
const FALLBACK: Mapping = { classUid: 3004, activityId: 99, activityName: 'Other', words: () => 'did something Gatehouse has no audit mapping for' };

const ACTIVITY_NAMES: Record<OcsfClassUid, Record<number, string>> = {
  3004: { 1: 'Create', 3: 'Update', 4: 'Delete' },
  3005: { 1: 'Assign Privileges', 2: 'Revoke Privileges' },
  3006: { 3: 'Add User', 4: 'Remove User' },
};

function membershipWords(membership: unknown): string {
  return membership === 'kept' ? 'membership kept: another active grant still needs it' : 'no membership of Gatehouse’s to remove';
}

function emailIn(data: Data): string | undefined {
  const user = data['user'] as { email?: unknown } | undefined;
  return str(user?.email) ?? str((data['requester'] as { email?: unknown } | undefined)?.email);
}

/** The URI of the OCSF class a record's data follows (CloudEvents `dataschema`). */
export function ocsfSchemaUri(classUid: OcsfClassUid): string {
  return `https://schema.ocsf.io/${OCSF_VERSION}/classes/${OCSF_CLASSES[classUid].schema}`;
}

export function ocsfClassOf(type: string): OcsfClassUid {
  return (MAPPINGS[type] ?? FALLBACK).classUid;
}

/** The facts known after this event: the request's details from its first event, the status from each. */
export function factsAfter(event: Envelope, facts: RequestFacts): RequestFacts {
  const data = (event.data ?? {}) as Data;
  return {
    flow: facts.flow ?? str(data['flow']),
    target: facts.target ?? str(data['target']),
    requester: facts.requester ?? emailIn(data),
    oktaGroupId: str(data['oktaGroupId']) ?? facts.oktaGroupId,
    status: event.type.startsWith('access.') ? (str(data['status']) ?? facts.status) : facts.status,
  };
}

/** The facts that differ between before and after. */
export function factsChanged(before: RequestFacts, after: RequestFacts): RequestFacts {
  return Object.fromEntries(Object.entries(after).filter(([key, value]) => value !== undefined && value !== before[key as keyof RequestFacts])) as RequestFacts;
}

const CHANNEL_APPS: Record<string, string> = { api: 'Gatehouse API', slack: 'Slack', relay: 'Slack (relay)' };

function ocsfUser(person: Person): NonNullable<OcsfAuditEvent['user']> {
  const email = person.email.toLowerCase();
  return { uid: email, name: email, email_addr: email, type_id: 1, type: 'User', ...(person.displayName ? { full_name: person.displayName } : {}), ...(person.slackUserId ? { uid_alt: person.slackUserId } : {}) };
}

function ocsfActor(actor: Actor): OcsfAuditEvent['actor'] {
  if (actor.kind === 'person') return { user: ocsfUser(actor.person), app_name: CHANNEL_APPS[actor.channel] ?? actor.channel };
  if (actor.kind === 'service')
    return { app_name: actor.service.name, app_uid: actor.service.tokenId, ...(actor.onBehalfOf ? { user: ocsfUser(actor.onBehalfOf), invoked_by: actor.service.name } : {}) };
  return { app_name: `Gatehouse ${actor.component}` };
}

/**
 * The OCSF event of one Gatehouse event. Everything OCSF has an attribute for goes there; the
 * rest — the event's own data, the actor in Gatehouse's model, the status before and after — is
 * kept whole in `unmapped.gatehouse`, so nothing the event said is lost.
 */
export function ocsfEventOf(event: Envelope, actor: Actor, before: RequestFacts, recordedAt: Date): OcsfAuditEvent {
  const data = (event.data ?? {}) as Data;
  const mapping = MAPPINGS[event.type] ?? FALLBACK;
  const after = factsAfter(event, before);
  const outcome = mapping.outcome?.(data) ?? { id: 1 };
  const classInfo = OCSF_CLASSES[mapping.classUid];
  const activityName = mapping.activityName ?? ACTIVITY_NAMES[mapping.classUid][mapping.activityId] ?? 'Other';
  const by = describeActor(actor);
  const isRequest = !event.type.startsWith('identity.');
  const ocsf: OcsfAuditEvent = {
    class_uid: mapping.classUid,
    class_name: classInfo.name,
    category_uid: 3,
    category_name: 'Identity & Access Management',
    activity_id: mapping.activityId,
    activity_name: activityName,
    type_uid: mapping.classUid * 100 + mapping.activityId,
    type_name: `${classInfo.name}: ${activityName}`,
    time: Date.parse(event.time),
    severity_id: outcome.id === 2 ? 2 : 1,
    severity: outcome.id === 2 ? 'Low' : 'Informational',
    status_id: outcome.id,
    status: outcome.id === 1 ? 'Success' : outcome.id === 2 ? 'Failure' : 'Other',
    ...(outcome.code ? { status_code: outcome.code } : {}),
    ...(outcome.detail ? { status_detail: outcome.detail } : {}),
    message: `${by} ${mapping.words(data, after)}${isRequest ? ` (request ${event.subject})` : ''}`,
    metadata: {
      version: OCSF_VERSION,
      product: { name: 'Gatehouse', vendor_name: 'Gatehouse', feature: { name: event.source } },
      uid: event.id,
      correlation_uid: event.correlationId,
      event_code: event.type,
      logged_time: recordedAt.getTime(),
      log_name: 'gatehouse.audit',
    },
    actor: ocsfActor(actor),
    unmapped: {
      gatehouse: {
        type: event.type,
        actor,
        by,
        ...(isRequest ? { request: { flow: after.flow, target: after.target, requester: after.requester, statusBefore: before.status, statusAfter: after.status } } : {}),
        details: data,
      },
    },
  };
  const requester = after.requester ? ocsfUser({ email: after.requester }) : undefined;
  if (mapping.classUid === 3004) {
    if (isRequest) {
      const entity = (status: string | undefined) => ({
        type: 'Access Request',
        type_id: 99,
        uid: event.subject,
        name: after.flow && after.target ? `${after.flow}/${after.target}` : event.subject,
        data: { flow: after.flow, target: after.target, requester: after.requester, status },
      });
      ocsf.entity = entity(before.status);
      ocsf.entity_result = entity(after.status);
    } else {
      const person = { email: String(data['email'] ?? 'unknown@invalid'), slackUserId: str(data['slackUserId']) };
      ocsf.entity = { type: 'Identity Link', type_id: 99, uid: String(data['slackUserId'] ?? event.subject), name: person.email, user: ocsfUser(person) };
    }
    const reason = str(data['reason']);
    if (reason) ocsf.comment = reason;
  }
  if (mapping.classUid === 3005) {
    ocsf.user = requester ?? { uid: 'unknown', name: 'unknown' };
    ocsf.privileges = [privilege(after)];
  }
  if (mapping.classUid === 3006) {
    const group = str(data['oktaGroupId']) ?? after.oktaGroupId ?? 'unknown';
    ocsf.group = { uid: group, name: group, type: 'Okta group' };
    const member = emailIn(data) ?? after.requester;
    if (member) ocsf.user = ocsfUser({ email: member });
  }
  return ocsf;
}
