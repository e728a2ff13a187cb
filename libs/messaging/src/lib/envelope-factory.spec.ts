import { randomUUID } from 'node:crypto';
import { runWithCorrelation } from '@gatehouse/observability';
import { createEnvelope, InvalidMessageError } from './envelope-factory';

const data = () => ({
  requestId: randomUUID(),
  principal: { actor: { kind: 'person' as const, channel: 'api' as const, person: { email: 'ada@example.com' } }, scopes: [] },
  flow: 'prod-db',
  target: 'read-only',
  durationSeconds: 3600,
  reason: 'INC-1',
});

describe('createEnvelope', () => {
  it('fills the envelope and carries the correlation id of its cause', () => {
    const cause = { id: randomUUID(), correlationId: randomUUID() };
    const envelope = createEnvelope('access.request.create', 'r1', data(), { source: 'gateway', causedBy: cause });
    expect(envelope).toMatchObject({ type: 'access.request.create', source: 'gateway', subject: 'r1', schemaVersion: 1 });
    expect(envelope.correlationId).toBe(cause.correlationId);
    expect(envelope.causationId).toBe(cause.id);
    expect(envelope.id).not.toBe(cause.id);
  });

  it('takes the correlation id of the HTTP request or message being handled', () => {
    const envelope = runWithCorrelation({ correlationId: '6f1c7a43-3c39-4a0e-9d3b-0d9d8b0b6a11' }, () =>
      createEnvelope('access.request.create', 'r1', data(), { source: 'gateway' }),
    );
    expect(envelope.correlationId).toBe('6f1c7a43-3c39-4a0e-9d3b-0d9d8b0b6a11');
  });

  it('refuses to build a message that breaks its schema', () => {
    expect(() => createEnvelope('access.request.create', 'r1', { ...data(), durationSeconds: 5 }, { source: 'gateway' })).toThrow(
      InvalidMessageError,
    );
    expect(() => createEnvelope('access.request.create', 'r1', { ...data(), durationSeconds: 5 }, { source: 'gateway' })).toThrow(
      /durationSeconds/,
    );
  });
});
