import { randomUUID } from 'node:crypto';
import type { Envelope } from '@gatehouse/contracts';
import { createHash } from 'node:crypto';
import { GENESIS_HASH, buildAuditRecord, recordJson, verifyChain } from './audit-record';
import { canonicalJson } from './canonical-json';

const event = (subject: string): Envelope => ({
  id: randomUUID(),
  type: 'access.requested',
  source: 'approval',
  time: '2026-11-22T10:00:00.000Z',
  subject,
  correlationId: randomUUID(),
  causationId: null,
  schemaVersion: 1,
  data: {
    requester: { email: 'ada@example.com' },
    actor: { kind: 'service', channel: 'api', service: { tokenId: 't1', name: 'ticketing' }, onBehalfOf: { email: 'ada@example.com' } },
    status: 'PENDING',
    flow: 'prod-db',
  },
});

describe('audit records', () => {
  it('gives the record as JSON: the canonical text it was hashed from, with its hash', () => {
    const record = buildAuditRecord(event('r1'), GENESIS_HASH, 1n, new Date('2026-11-22T10:00:01Z'));
    const json = recordJson(record);
    expect(JSON.parse(json)).toEqual(record);
    const { hash, ...unhashed } = record;
    expect(json).toBe(`${canonicalJson(unhashed).slice(0, -1)},"hash":"${hash}"}`);
    expect(createHash('sha256').update(canonicalJson(unhashed)).digest('hex')).toBe(hash);
    // A record read back from the database is serialised as it comes.
    const readBack = JSON.parse(json) as typeof record;
    expect(JSON.parse(recordJson(readBack))).toEqual(record);
  });

  it('wraps the event in a CloudEvents envelope with the event id and an OCSF payload', () => {
    const source = event('r1');
    const record = buildAuditRecord(source, GENESIS_HASH, 1n, new Date('2026-11-22T10:00:01Z'));
    expect(record).toMatchObject({
      specversion: '1.0',
      id: source.id,
      type: 'access.requested',
      subject: 'r1',
      sequence: '1',
      previoushash: GENESIS_HASH,
      dataschema: 'https://schema.ocsf.io/1.8.0/classes/entity_management',
      data: {
        class_uid: 3004,
        activity_name: 'Create',
        actor: { app_name: 'ticketing', user: { email_addr: 'ada@example.com' } },
        unmapped: {
          gatehouse: {
            type: 'access.requested',
            actor: { kind: 'service', service: { name: 'ticketing' }, onBehalfOf: { email: 'ada@example.com' } },
            by: 'service ticketing on behalf of ada@example.com (api)',
            request: { statusAfter: 'PENDING', flow: 'prod-db' },
          },
        },
      },
    });
    expect(record.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hashes the same content the same way whatever the key order', () => {
    const source = event('r1');
    const { requester, actor, status, flow } = source.data as Record<string, unknown>;
    const reordered = { ...source, data: { flow, status, actor, requester } };
    const at = new Date('2026-11-22T10:00:01Z');
    expect(buildAuditRecord(reordered, GENESIS_HASH, 1n, at).hash).toBe(buildAuditRecord(source, GENESIS_HASH, 1n, at).hash);
  });

  it('detects an edited record and a removed record in a chain', () => {
    const at = new Date();
    const first = buildAuditRecord(event('a'), GENESIS_HASH, 1n, at);
    const second = buildAuditRecord(event('b'), first.hash, 2n, at);
    const third = buildAuditRecord(event('c'), second.hash, 3n, at);
    expect(verifyChain([first, second, third])).toEqual({ ok: true });

    const edited = { ...second, data: { ...second.data, status: 'Failure' } };
    expect(verifyChain([first, edited, third])).toEqual({ ok: false, brokenAt: '2', reason: 'record content does not match its hash' });
    expect(verifyChain([first, third])).toEqual({ ok: false, brokenAt: '3', reason: 'previous hash does not match' });
  });
});
