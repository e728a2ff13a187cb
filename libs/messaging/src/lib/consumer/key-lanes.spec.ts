import { runInKeyLanes, Slots } from './key-lanes';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('runInKeyLanes', () => {
  it('keeps offset order within a key while different keys run side by side', async () => {
    const messages = ['a1', 'b1', 'a2', 'c1', 'b2', 'a3'].map((id) => ({ key: id[0], id }));
    const started: string[] = [];
    const finished: string[] = [];
    await runInKeyLanes(messages, new Slots(8), async (m) => {
      started.push(m.id);
      // Key a is slow: b and c must not wait for it.
      await new Promise((resolve) => setTimeout(resolve, m.key === 'a' ? 20 : 1));
      finished.push(m.id);
    });
    expect(finished.filter((id) => id.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
    expect(finished.filter((id) => id.startsWith('b'))).toEqual(['b1', 'b2']);
    expect(finished.indexOf('b2')).toBeLessThan(finished.indexOf('a2'));
    expect(started.slice(0, 3)).toEqual(['a1', 'b1', 'c1']);
  });

  it('runs messages without a key one after another, in order', async () => {
    const messages = [1, 2, 3].map((n) => ({ key: null, n }));
    let running = 0;
    const order: number[] = [];
    await runInKeyLanes(messages, new Slots(8), async (m) => {
      running++;
      expect(running).toBe(1);
      await tick();
      order.push(m.n);
      running--;
    });
    expect(order).toEqual([1, 2, 3]);
  });

  it('never runs more messages at once than the slots allow, across calls', async () => {
    const slots = new Slots(3);
    let running = 0;
    let most = 0;
    const handle = async () => {
      running++;
      most = Math.max(most, running);
      await tick();
      running--;
    };
    const batch = (p: string) => Array.from({ length: 10 }, (_, i) => ({ key: `${p}${i}` }));
    await Promise.all([runInKeyLanes(batch('x'), slots, handle), runInKeyLanes(batch('y'), slots, handle)]);
    expect(most).toBe(3);
  });

  it('stops a lane at its failure, finishes the others, then throws the first error', async () => {
    const done: string[] = [];
    const messages = [
      { key: 'a', id: 'a1' },
      { key: 'b', id: 'b1' },
      { key: 'a', id: 'a2' },
      { key: 'b', id: 'b2' },
    ];
    await expect(
      runInKeyLanes(messages, new Slots(4), async (m) => {
        if (m.id === 'a1') throw new Error('a1 failed');
        await tick();
        done.push(m.id);
      }),
    ).rejects.toThrow('a1 failed');
    expect(done).toEqual(['b1', 'b2']);
  });

  it('reports an early stop so the caller does not resolve offsets it has not handled', async () => {
    let stop = false;
    const messages = [1, 2, 3].map((n) => ({ key: 'k', n }));
    const complete = await runInKeyLanes(
      messages,
      new Slots(1),
      async (m) => {
        if (m.n === 2) stop = true;
      },
      () => !stop,
    );
    expect(complete).toBe(false);
    await expect(runInKeyLanes(messages, new Slots(1), async () => undefined)).resolves.toBe(true);
  });
});
