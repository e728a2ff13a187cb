import { GroupedWork } from './grouped-work';

interface Item {
  key: string;
  value: string;
}

/** Work whose groups and single items finish when the test says so, recording what each held. */
class HeldWork {
  readonly calls: { kind: 'together' | 'alone'; values: string[] }[] = [];
  private readonly finishers: ((outcome: 'ok' | 'undefined' | Error) => void)[] = [];
  readonly work: GroupedWork<Item, string>;
  aloneFails: (item: Item) => Error | undefined = () => undefined;

  constructor(options: { maxItems?: number; concurrency?: number; keyed?: boolean; startAtOnce?: boolean } = {}) {
    this.work = new GroupedWork<Item, string>(
      (items) => this.held('together', items),
      async (item) => {
        const [result] = (await this.held('alone', [item])) as string[];
        const failure = this.aloneFails(item);
        if (failure) throw failure;
        return result as string;
      },
      { maxItems: options.maxItems, concurrency: options.concurrency, keyOf: options.keyed === false ? undefined : (item) => item.key, startAtOnce: options.startAtOnce },
    );
  }

  private held(kind: 'together' | 'alone', items: readonly Item[]): Promise<string[] | undefined> {
    this.calls.push({ kind, values: items.map((i) => i.value) });
    return new Promise((resolve, reject) =>
      this.finishers.push((outcome) => (outcome instanceof Error ? reject(outcome) : resolve(outcome === 'undefined' ? undefined : items.map((i) => `done ${i.value}`)))),
    );
  }

  submit(key: string, value: string): Promise<string> {
    return this.work.submit({ key, value });
  }

  /** Finishes the oldest unfinished call. */
  async finish(outcome: 'ok' | 'undefined' | Error = 'ok'): Promise<void> {
    const next = this.finishers.shift();
    if (!next) throw new Error('nothing in flight');
    next(outcome);
    await tick();
  }

  get inFlight(): number {
    return this.finishers.length;
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupedWork', () => {
  it('does one item alone when idle, and everything handed in meanwhile in one group, in order', async () => {
    const held = new HeldWork();
    const first = held.submit('a', '1');
    await tick();
    const later = [held.submit('b', '2'), held.submit('c', '3'), held.submit('d', '4')];
    await tick();
    expect(held.calls).toEqual([{ kind: 'alone', values: ['1'] }]);
    await held.finish();
    expect(held.calls[1]).toEqual({ kind: 'together', values: ['2', '3', '4'] });
    await held.finish();
    await expect(first).resolves.toBe('done 1');
    await expect(Promise.all(later)).resolves.toEqual(['done 2', 'done 3', 'done 4']);
  });

  it('startAtOnce: an item finding a free slot starts at once, not after the tick; the rest of the tick is grouped behind it', async () => {
    const held = new HeldWork({ keyed: false, startAtOnce: true });
    const results = [held.submit('a', '1'), held.submit('b', '2'), held.submit('c', '3')];
    // Started before any turn of the event loop (only promise callbacks have run).
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(held.calls).toEqual([{ kind: 'alone', values: ['1'] }]);
    await held.finish();
    expect(held.calls[1]).toEqual({ kind: 'together', values: ['2', '3'] });
    await held.finish();
    await expect(Promise.all(results)).resolves.toEqual(['done 1', 'done 2', 'done 3']);
  });

  it('never puts two items of one key in a group or in two groups at once, and keeps their order', async () => {
    const held = new HeldWork({ concurrency: 2 });
    const results = [held.submit('a', 'a1'), held.submit('a', 'a2'), held.submit('b', 'b1'), held.submit('a', 'a3')];
    await tick();
    // The first group takes one item a key; the second runner finds only items of busy keys.
    expect(held.calls).toEqual([{ kind: 'together', values: ['a1', 'b1'] }]);
    expect(held.inFlight).toBe(1);
    await held.finish();
    expect(held.calls[1]).toEqual({ kind: 'alone', values: ['a2'] });
    await held.finish();
    expect(held.calls[2]).toEqual({ kind: 'alone', values: ['a3'] });
    await held.finish();
    await expect(Promise.all(results)).resolves.toEqual(['done a1', 'done a2', 'done b1', 'done a3']);
  });

  it('runs up to `concurrency` groups at once, and no more', async () => {
    const held = new HeldWork({ concurrency: 2, maxItems: 2 });
    const results = ['1', '2', '3', '4', '5', '6'].map((v) => held.submit(v, v));
    await tick();
    expect(held.calls).toEqual([
      { kind: 'together', values: ['1', '2'] },
      { kind: 'together', values: ['3', '4'] },
    ]);
    await held.finish();
    expect(held.calls[2]).toEqual({ kind: 'together', values: ['5', '6'] });
    await held.finish();
    await held.finish();
    expect(held.inFlight).toBe(0);
    await expect(Promise.all(results)).resolves.toHaveLength(6);
  });

  it('does each item alone when its group commits nothing, or fails; one item failing alone fails only that item', async () => {
    const held = new HeldWork({ keyed: false });
    held.aloneFails = (item) => (item.value === '3' ? new Error('bad item 3') : undefined);
    const blocker = held.submit('x', '0');
    await tick();
    const group = [held.submit('x', '1'), held.submit('x', '2'), held.submit('x', '3').catch((error: Error) => `failed: ${error.message}`)];
    await held.finish();
    expect(held.calls[1]).toEqual({ kind: 'together', values: ['1', '2', '3'] });
    await held.finish(new Error('the group failed'));
    for (let i = 0; i < 3; i += 1) await held.finish();
    expect(held.calls.slice(2)).toEqual([
      { kind: 'alone', values: ['1'] },
      { kind: 'alone', values: ['2'] },
      { kind: 'alone', values: ['3'] },
    ]);
    await expect(blocker).resolves.toBe('done 0');
    await expect(group[0]).resolves.toBe('done 1');
    await expect(group[1]).resolves.toBe('done 2');
    await expect(group[2]).resolves.toBe('failed: bad item 3');

    const again = [held.submit('x', '4'), held.submit('x', '5')];
    await tick();
    await held.finish('undefined');
    await held.finish();
    await held.finish();
    expect(held.calls.slice(5)).toEqual([
      { kind: 'together', values: ['4', '5'] },
      { kind: 'alone', values: ['4'] },
      { kind: 'alone', values: ['5'] },
    ]);
    await expect(Promise.all(again)).resolves.toEqual(['done 4', 'done 5']);
  });

  it('frees the keys of a group that failed, so later items of those keys run', async () => {
    const held = new HeldWork({ concurrency: 1 });
    const blocker = held.submit('z', '0');
    await tick();
    const group = [held.submit('a', 'a1'), held.submit('b', 'b1')];
    await held.finish();
    await held.finish(new Error('the group failed'));
    await held.finish();
    await held.finish();
    await expect(Promise.all([blocker, ...group])).resolves.toEqual(['done 0', 'done a1', 'done b1']);
    const later = held.submit('a', 'a2');
    await tick();
    expect(held.calls.at(-1)).toEqual({ kind: 'alone', values: ['a2'] });
    await held.finish();
    await expect(later).resolves.toBe('done a2');
  });

  it('settles every item even when the work throws before it returns a promise', async () => {
    const work = new GroupedWork<string, string>(
      () => {
        throw new Error('together broke');
      },
      (item) => {
        if (item === 'bad') throw new Error('alone broke');
        return Promise.resolve(`done ${item}`);
      },
      {
        onGroupFailed: () => {
          throw new Error('the hook broke too');
        },
      },
    );
    const results = await Promise.allSettled(['ok', 'bad', 'fine'].map((item) => work.submit(item)));
    expect(results).toEqual([
      { status: 'fulfilled', value: 'done ok' },
      { status: 'rejected', reason: new Error('alone broke') },
      { status: 'fulfilled', value: 'done fine' },
    ]);
  });
});
