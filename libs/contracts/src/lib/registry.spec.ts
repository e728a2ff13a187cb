import { randomUUID } from 'node:crypto';
import { parseMessage, parseReply } from './registry';
import { deadLetterTopicOf, replyTopicOf } from './topics';

const envelope = (overrides: Record<string, unknown> = {}) => ({
  id: randomUUID(),
  type: 'access.request.create',
  source: 'gateway',
  time: '2026-11-22T10:00:00.000Z',
  subject: 'r1',
  correlationId: randomUUID(),
  causationId: null,
  schemaVersion: 1,
  data: {
    requestId: randomUUID(),
    principal: { actor: { kind: 'person', channel: 'api', person: { email: 'ada@example.com' } }, scopes: ['requests:write'] },
    flow: 'prod-db',
    target: 'read-only',
    durationSeconds: 3600,
    reason: 'INC-1',
  },
  ...overrides,
});

describe('parseMessage', () => {
  it('accepts a valid envelope and types its data', () => {
    const result = parseMessage(envelope());
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.envelope.type).toBe('access.request.create');
  });

  it.each([
    ['a missing envelope field', { id: 'not-a-uuid' }, /invalid envelope: id:/],
    ['an unknown type', { type: 'access.teleported' }, /unknown message type "access.teleported"/],
    ['a future schema version', { schemaVersion: 2 }, /unsupported schemaVersion 2 for "access.request.create" \(expected 1\)/],
    ['data that breaks the schema', { data: { requestId: 'x' } }, /invalid data for "access.request.create": .*requestId: Invalid UUID; principal: /],
  ])('rejects %s with a reason', (_label, overrides, reason) => {
    const result = parseMessage(envelope(overrides));
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(reason) });
  });

  it('never throws, whatever it is given', () => {
    for (const raw of [null, 42, 'text', [], { data: undefined }]) expect(parseMessage(raw).ok).toBe(false);
  });

  it('checks a query reply against its schema', () => {
    expect(parseReply('audit.query', { records: [] })).toEqual({ ok: true, data: { records: [] } });
    expect(parseReply('audit.query', { records: [{ id: 1 }] }).ok).toBe(false);
  });
});

describe('topic names', () => {
  it('derives dead-letter and reply topics', () => {
    expect(deadLetterTopicOf('gatehouse.access.events.v1')).toBe('gatehouse.access.events.v1.dlq');
    expect(replyTopicOf('gateway')).toBe('gatehouse.gateway.replies.v1');
  });
});
