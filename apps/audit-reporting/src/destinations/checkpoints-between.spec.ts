import { checkpointEvent } from '../checkpoints/checkpoint-event';
import { ChainEntry } from './chain-entry';
import { checkpointsFor } from './checkpoints-between';

describe('checkpointsFor', () => {
  const checkpoint = (size: number) => ChainEntry.of(checkpointEvent({ size: String(size), root: 'r'.repeat(64), headHash: 'h'.repeat(64), createdAt: '2026-12-01T00:00:00.000Z', keyId: 'k', signature: 's' }));
  const known = [5, 10, 99, 100, 1000].map(checkpoint);

  it('takes the checkpoints past the last one shipped, up to the record a batch reaches (sizes compared as numbers)', () => {
    expect(checkpointsFor(known, '5', '100').map((c) => c.sequence)).toEqual(['10', '99', '100']);
    expect(checkpointsFor(known, '0', '9').map((c) => c.sequence)).toEqual(['5']);
    expect(checkpointsFor(known, '100', '999')).toEqual([]);
    expect(checkpointsFor(known, '999', '1000').map((c) => c.sequence)).toEqual(['1000']);
  });
});
