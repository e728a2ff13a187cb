import { HandledOffsets } from './handled-offsets';

describe('HandledOffsets', () => {
  it('commits the offset after the last one handled, once per partition', () => {
    const offsets = new HandledOffsets();
    offsets.handled('t', 0, '41');
    offsets.handled('t', 0, '99');
    offsets.handled('t', 3, '7');
    expect(offsets.take()).toEqual([
      { topic: 't', partition: 0, offset: '100' },
      { topic: 't', partition: 3, offset: '8' },
    ]);
    expect(offsets.take()).toEqual([]);
  });

  it('forgets partitions a rebalance gave to another member', () => {
    const offsets = new HandledOffsets();
    offsets.handled('t', 0, '1');
    offsets.handled('t', 1, '1');
    offsets.handled('u', 0, '1');
    offsets.keepOnly({ t: [1] });
    expect(offsets.take()).toEqual([{ topic: 't', partition: 1, offset: '2' }]);
  });
});
