import type { AuditRecord } from '@gatehouse/contracts';
import { checkpointEvent } from '../checkpoints/checkpoint-event';
import { ChainEntry } from './chain-entry';
import { interleave } from './interleave';

describe('records and checkpoints in one stream', () => {
  const row = (seq: number) => ChainEntry.of({ type: 'access.requested', sequence: String(seq) } as AuditRecord);
  const checkpoint = (size: number) => ChainEntry.of(checkpointEvent({ size: String(size), root: 'r'.repeat(64), headHash: 'h'.repeat(64), createdAt: '2026-11-29T00:00:00.000Z', keyId: 'k', signature: 's' }));
  const labels = (events: { type: string; sequence: string }[]) => events.map((e) => (e.type === 'gatehouse.audit.checkpoint' ? `c${e.sequence}` : e.sequence));

  it('puts each checkpoint right after the record it ends on', () => {
    expect(labels(interleave([6, 7, 8, 9, 10, 11].map(row), [checkpoint(5), checkpoint(10)]))).toEqual(['c5', '6', '7', '8', '9', '10', 'c10', '11']);
  });

  it('ships checkpoints alone when their records went before', () => {
    expect(labels(interleave([], [checkpoint(3), checkpoint(4)]))).toEqual(['c3', 'c4']);
  });
});
