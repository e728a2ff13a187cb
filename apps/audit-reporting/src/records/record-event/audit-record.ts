import { createHash } from 'node:crypto';
import { actorSchema, systemActor, type Actor, type AuditRecord, type Envelope } from '@gatehouse/contracts';
import { canonicalJson } from './canonical-json';
import { ocsfClassOf, ocsfEventOf, ocsfSchemaUri, type RequestFacts } from './ocsf-event';

export const GENESIS_HASH = '0'.repeat(64);

type Unhashed = Omit<AuditRecord, 'hash'>;

/**
 * The canonical audit record of one event: a CloudEvents 1.0 envelope (same id as the event,
 * so a redelivery maps to the same record) around an OCSF event (`dataschema` names its class),
 * chained to the record before it by SHA-256 so an edit or deletion anywhere breaks every hash
 * after it. `facts` is what earlier records said of the same request.
 */
export function buildAuditRecord(event: Envelope, previousHash: string, sequence: bigint, recordedAt: Date, facts: RequestFacts = {}): AuditRecord {
  const data = (event.data ?? {}) as Record<string, unknown>;
  const actor = actorOf(data);
  const unhashed: Unhashed = {
    specversion: '1.0',
    id: event.id,
    type: event.type,
    source: event.source,
    subject: event.subject,
    time: event.time,
    datacontenttype: 'application/json',
    dataschema: ocsfSchemaUri(ocsfClassOf(event.type)),
    sequence: sequence.toString(),
    correlationid: event.correlationId,
    recordedat: recordedAt.toISOString(),
    previoushash: previousHash,
    data: ocsfEventOf(event, actor, facts, recordedAt),
  };
  const canonical = canonicalJson(unhashed);
  const hash = createHash('sha256').update(canonical).digest('hex');
  const record: AuditRecord = { ...unhashed, hash };
  // The canonical text with the hash added is the record's JSON: written once, not again for
  // the database and for every destination.
  JSON_OF.set(record, `${canonical.slice(0, -1)},"hash":"${hash}"}`);
  return record;
}

const JSON_OF = new WeakMap<AuditRecord, string>();

/** The record as JSON: the text it was hashed from when this process built it. */
export function recordJson(record: AuditRecord): string {
  return JSON_OF.get(record) ?? JSON.stringify(record);
}

export function hashRecord(record: Unhashed): string {
  return createHash('sha256').update(canonicalJson(record)).digest('hex');
}

/** Checks a run of records, in sequence order: each hash is right and points at the one before. */
export function verifyChain(records: readonly AuditRecord[], previousHash = GENESIS_HASH): { ok: true } | { ok: false; brokenAt: string; reason: string } {
  let expectedPrevious = previousHash;
  for (const record of records) {
    const { hash, ...rest } = record;
    if (record.previoushash !== expectedPrevious) return { ok: false, brokenAt: record.sequence, reason: 'previous hash does not match' };
    if (hashRecord(rest) !== hash) return { ok: false, brokenAt: record.sequence, reason: 'record content does not match its hash' };
    expectedPrevious = hash;
  }
  return { ok: true };
}

/**
 * Who acted: every audited event carries its actor (validated when it was produced). An
 * event without one would be a contract bug; it is recorded as the system's, never dropped.
 */
function actorOf(data: Record<string, unknown>): Actor {
  const parsed = actorSchema.safeParse(data['actor']);
  return parsed.success ? parsed.data : systemActor('provisioning');
}
