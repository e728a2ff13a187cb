import { ACCESS_EVENT_TYPES, AUDITED_PROVISIONING_EVENT_TYPES, AUDITED_SLACK_EVENT_TYPES, DLQ_SUFFIX, HEADERS, TOPICS } from '@gatehouse/contracts';
import type { Pool } from 'pg';
import type { GatehouseSystem } from '../gatehouse-system';
import { runTs } from '../service-process';
import { topicMessageCounts } from '../topic-counts';
import { TopicReader } from '../topic-reader';
import { waitFor } from '../infrastructure';
import { fateOf, FINAL_STATUSES, SOAK_FLOW, SOAK_FLOWS, type LoadCounts } from './soak-load';

export interface Invariant {
  name: string;
  ok: boolean;
  /** The figures behind the verdict, and what broke it if it did. */
  detail: string;
}

/** Where each lifecycle event falls in a request's life: its records must not go backwards. */
const STAGE: Record<string, number> = {
  'access.requested': 0,
  'access.decision.recorded': 1,
  'access.approved': 2,
  'access.denied': 2,
  'access.cancelled': 2,
  'access.timed_out': 2,
  'access.granting': 3,
  'access.activated': 4,
  'access.grant_failed': 4,
  'access.revoking': 5,
  'access.ended': 6,
};
/** Facts that happen at most once in a request's life: two records of one are a step done twice. */
const ONCE = ['access.requested', 'access.approved', 'access.denied', 'access.cancelled', 'access.activated', 'access.ended', 'provisioning.granted', 'provisioning.revoked'];
const AUDITED = new Set<string>([...ACCESS_EVENT_TYPES, ...AUDITED_PROVISIONING_EVENT_TYPES, ...AUDITED_SLACK_EVENT_TYPES]);

const sample = (items: string[], n = 5) => (items.length > n ? `${items.slice(0, n).join('; ')}; … (${items.length} in all)` : items.join('; '));

/**
 * What must hold after a soak, checked against the database, the fake Okta, the broker's
 * topics and the audit chain: the list the issue gives, each with the figures behind it.
 */
export async function checkInvariants(system: GatehouseSystem, db: Pool, load: { counts: LoadCounts; unexpectedAnswers: string[] }, unplannedExits: string[]): Promise<Invariant[]> {
  const invariants: Invariant[] = [];
  const requests = (await db.query<{ id: string; flow: string; status: string; email: string }>(`SELECT id::text AS id, flow, status, requester_email AS email FROM approval.access_requests WHERE flow = ANY($1::text[])`, [SOAK_FLOWS])).rows;

  // 1. Every accepted request is stored and reached a final or active state.
  const byStatus = new Map<string, number>();
  for (const r of requests) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
  const stuck = requests.filter((r) => !FINAL_STATUSES.includes(r.status) && !(r.status === 'ACTIVE' && fateOf(r.id, r.flow).ending === 'keep'));
  const accepted = load.counts.created + load.counts.queued;
  invariants.push({
    name: 'every accepted request reached a final or active state',
    ok: stuck.length === 0 && requests.length >= accepted,
    detail:
      `${requests.length} stored (${load.counts.created} answered 201, ${load.counts.queued} 202, the rest had their answer lost to a fault): ` +
      [...byStatus].map(([s, n]) => `${s} ${n}`).join(', ') +
      (stuck.length ? `; stuck: ${sample(stuck.map((r) => `${r.id} ${r.status}`))}` : '') +
      (requests.length < accepted ? `; ${accepted - requests.length} accepted requests missing` : ''),
  });

  // 2. No grant made twice. Requesters are reused once their request has ended, so per person:
  // memberships added in Okta at most once per request of theirs that was granted.
  const grantedStatuses = ['ACTIVE', 'EXPIRED', 'REVOKED'];
  const grantsOf = new Map<string, number>();
  for (const r of requests) if (grantedStatuses.includes(r.status)) grantsOf.set(r.email, (grantsOf.get(r.email) ?? 0) + 1);
  const adds = new Map<string, number>();
  for (const change of system.okta.membershipChanges) {
    if (change.groupId !== SOAK_FLOW.group || change.change !== 'added') continue;
    const email = system.okta.emailOf(change.userId) ?? change.userId;
    adds.set(email, (adds.get(email) ?? 0) + 1);
  }
  const twice = [...adds].filter(([email, n]) => n > (grantsOf.get(email) ?? 0)).map(([email, n]) => `${email}: added ${n} times for ${grantsOf.get(email) ?? 0} grants`);
  const totalAdds = [...adds.values()].reduce((a, b) => a + b, 0);
  const totalGrants = [...grantsOf.values()].reduce((a, b) => a + b, 0);
  const puts = system.okta.log.filter((l) => l.method === 'PUT' && l.path.startsWith(`/api/v1/groups/${SOAK_FLOW.group}/users/`) && l.status === 204).length;
  invariants.push({
    name: 'no grant made twice in Okta',
    ok: twice.length === 0,
    detail: `${totalGrants} grants to ${grantsOf.size} people, ${totalAdds} memberships added; ${puts} membership PUTs answered 204 (${puts - totalAdds} repeated an add already made: idempotent, no change in Okta)` + (twice.length ? `; added more often than granted: ${sample(twice)}` : ''),
  });

  // 3. Okta holds exactly the active grants: a person is a member while a request of theirs is active, and only then.
  const members = system.okta.memberEmails(SOAK_FLOW.group);
  const active = new Set(requests.filter((r) => r.status === 'ACTIVE').map((r) => r.email));
  const people = new Set([...requests.map((r) => r.email), ...members]);
  const wrong = [...people].filter((email) => active.has(email) !== members.has(email)).map((email) => `${email} ${members.has(email) ? 'still a member with no active request' : 'not a member though a request is active'}`);
  const ended = requests.filter((r) => r.status === 'EXPIRED' || r.status === 'REVOKED').length;
  invariants.push({
    name: 'every expired or revoked grant removed from Okta',
    ok: wrong.length === 0,
    detail: `${ended} grants ended (expired or revoked); ${members.size} members now, each with an active request, and ${active.size} people with one` + (wrong.length ? `; wrong: ${sample(wrong)}` : ''),
  });

  // 4. The audit trail: every published event recorded exactly once, in order per request, and the chain verifies.
  const published = await publishedEvents(system);
  const recorded = await waitFor(
    async () => {
      const rows = (await db.query<{ id: string; type: string; subject: string }>(`SELECT id::text AS id, type, subject FROM audit.records ORDER BY seq`)).rows;
      const ids = new Set(rows.map((r) => r.id));
      return [...published.keys()].every((id) => ids.has(id)) ? rows : undefined;
    },
    { what: 'every published event in the audit trail', timeoutMs: 60_000, intervalMs: 500 },
  ).catch(async () => (await db.query<{ id: string; type: string; subject: string }>(`SELECT id::text AS id, type, subject FROM audit.records ORDER BY seq`)).rows);
  const recordedIds = new Set(recorded.map((r) => r.id));
  const missing = [...published.keys()].filter((id) => !recordedIds.has(id)).map((id) => `${published.get(id)} ${id}`);
  const unpublished = recorded.filter((r) => AUDITED.has(r.type) && !published.has(r.id)).map((r) => `${r.type} ${r.id}`);
  const perRequest = new Map<string, string[]>();
  for (const r of recorded) {
    const types = perRequest.get(r.subject);
    if (types) types.push(r.type);
    else perRequest.set(r.subject, [r.type]);
  }
  const doubled: string[] = [];
  const backwards: string[] = [];
  for (const [subject, types] of perRequest) {
    for (const type of ONCE) {
      const times = types.filter((t) => t === type).length;
      if (times > 1) doubled.push(`${type} ×${times} for ${subject}`);
    }
    const stages = types.map((t) => STAGE[t]).filter((s): s is number => s !== undefined);
    if (stages.some((s, i) => i > 0 && s < (stages[i - 1] as number))) backwards.push(`${subject}: ${types.join(' → ')}`);
  }
  const verify = await auditVerify(system);
  invariants.push({
    name: 'the audit trail has every event exactly once per id, in order per request, and verify passes',
    ok: missing.length === 0 && unpublished.length === 0 && doubled.length === 0 && backwards.length === 0 && verify.code === 0,
    detail:
      `${recorded.length} records for ${published.size} published events; verify: ${verify.output.trim().split('\n').at(-1) ?? ''} (exit ${verify.code})` +
      (missing.length ? `; missing: ${sample(missing)}` : '') +
      (unpublished.length ? `; recorded but never published: ${sample(unpublished)}` : '') +
      (doubled.length ? `; a step recorded twice: ${sample(doubled)}` : '') +
      (backwards.length ? `; out of order: ${sample(backwards)}` : ''),
  });

  // 5. Dead letters: each with the reason it was set aside.
  const deadLetters = await deadLettered(system);
  const reasonless = deadLetters.filter((d) => !d.reason);
  const reasons = new Map<string, number>();
  for (const d of deadLetters) reasons.set(`${d.topic}: ${d.reason.slice(0, 120)}`, (reasons.get(`${d.topic}: ${d.reason.slice(0, 120)}`) ?? 0) + 1);
  invariants.push({
    name: 'no message left in a dead-letter topic without a reason',
    ok: reasonless.length === 0,
    detail: `${deadLetters.length} dead-lettered` + (reasons.size ? `: ${[...reasons].map(([r, n]) => `${n} × ${r}`).join('; ')}` : '') + (reasonless.length ? `; ${reasonless.length} without a reason` : ''),
  });

  // Not on the issue's list, but a soak that hides these would lie.
  invariants.push({
    name: 'every answer the clients got was one the API documents for the case',
    ok: load.unexpectedAnswers.length === 0,
    detail: load.unexpectedAnswers.length ? sample(load.unexpectedAnswers) : `${load.counts.offered} requests offered, ${load.counts.unavailable} turned away while a part was down (503/504 or no answer), tried again`,
  });
  invariants.push({
    name: 'no service died unless the soak killed it',
    ok: unplannedExits.length === 0,
    detail: unplannedExits.length ? sample(unplannedExits) : 'none',
  });
  return invariants;
}

/** Every audited event on the system's topics, by id (type as value). */
async function publishedEvents(system: GatehouseSystem): Promise<Map<string, string>> {
  const prefix = system.env['KAFKA_TOPIC_PREFIX'] as string;
  const topics = [TOPICS.accessEvents, TOPICS.provisioningEvents, TOPICS.slackEvents].map((t) => `${prefix}${t}`);
  const messages = await readAll(system, await topicMessageCounts(brokersOf(system), topics));
  const events = new Map<string, string>();
  for (const m of messages) {
    const envelope = m.json<{ id?: string; type?: string }>();
    if (envelope?.id && envelope.type && AUDITED.has(envelope.type)) events.set(envelope.id, envelope.type);
  }
  return events;
}

async function deadLettered(system: GatehouseSystem): Promise<{ topic: string; reason: string }[]> {
  const prefix = system.env['KAFKA_TOPIC_PREFIX'] as string;
  const messages = await readAll(system, await topicMessageCounts(brokersOf(system), (t) => t.startsWith(prefix) && t.endsWith(DLQ_SUFFIX)));
  return messages.map((m) => ({ topic: m.topic.slice(prefix.length), reason: m.headers[HEADERS.dlqReason] ?? '' }));
}

/** Every message now on these topics (with how many each holds): read from the beginning until the reader has them all. */
async function readAll(system: GatehouseSystem, expected: Map<string, number>) {
  const topics = [...expected.keys()];
  if ([...expected.values()].every((n) => n === 0)) return [];
  const reader = await new TopicReader(brokersOf(system)).start(topics.filter((t) => (expected.get(t) ?? 0) > 0));
  try {
    await waitFor(() => [...expected].every(([topic, n]) => reader.on(topic).length >= n), { what: `every message on ${topics.join(', ')}`, timeoutMs: 60_000, intervalMs: 200 });
    return reader.messages;
  } finally {
    await reader.stop();
  }
}

const brokersOf = (system: GatehouseSystem) => (system.env['KAFKA_BROKERS'] as string).split(',');

/** `gatehouse audit verify` over the chain, as an auditor runs it. */
async function auditVerify(system: GatehouseSystem): Promise<{ code: number | null; output: string }> {
  const child = runTs('apps/audit-reporting/src/cli/audit-verify.ts', [], system.env);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output };
}
